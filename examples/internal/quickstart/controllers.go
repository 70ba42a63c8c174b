package quickstart

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/sluice-dev/sluice/examples/internal/controller/applier"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/runtime/flags"
)

// controllers are the source and applier controllers running in this
// process, and the artifact server between them.
type controllers struct {
	cancel context.CancelFunc
	done   chan error
	server *http.Server
}

func (c *controllers) stop() {
	c.cancel()
	if err := <-c.done; err != nil {
		// The steps are over; the manager's own error changes nothing.
		ctrl.Log.Error(err, "controllers stopped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.server.Shutdown(ctx)
}

func (q *run) startControllers(ctx context.Context) ([]string, error) {
	logger, err := flags.LogOptions{Encoding: flags.LogEncodingConsole, Level: flags.LogLevelInfo}.LoggerTo(q.opts.ControllerLogs)
	if err != nil {
		return nil, err
	}
	ctrl.SetLogger(logger)

	// The artifact server: the source controller stores, the applier
	// fetches over HTTP and checks the digest.
	lis, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the artifact server: %w", err)
	}
	baseURL := "http://" + lis.Addr().String()
	store, err := storage.New(filepath.Join(q.workDir, "artifacts"), baseURL)
	if err != nil {
		_ = lis.Close()
		return nil, err
	}
	server := &http.Server{Handler: store.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(lis) }()

	mgr, err := ctrl.NewManager(q.env.Config(), ctrl.Options{
		Scheme:                 q.env.Scheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Logger:                 logger,
	})
	if err != nil {
		_ = server.Close()
		return nil, fmt.Errorf("new manager: %w", err)
	}
	// The demo's Git server and artifact server are plain HTTP on
	// loopback, which the secure default refuses.
	insecure := flags.InsecureHTTPOptions{Allow: true}
	git := &source.GitRepositoryReconciler{Client: mgr.GetClient(), Storage: store, InsecureHTTP: insecure}
	sync := &applier.SyncReconciler{Client: mgr.GetClient()}
	for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{git, sync} {
		if err := r.SetupWithManager(mgr); err != nil {
			_ = server.Close()
			return nil, err
		}
	}
	mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		cancel()
		err := <-done
		_ = server.Close()
		return nil, fmt.Errorf("the controllers' cache did not sync: %w", errors.Join(context.Cause(ctx), err))
	}
	q.controllers = &controllers{cancel: cancel, done: done, server: server}
	return []string{
		"source controller: GitRepository, artifacts served at " + baseURL,
		"applier controller: Sync (server-side apply, drift correction, prune)",
	}, nil
}
