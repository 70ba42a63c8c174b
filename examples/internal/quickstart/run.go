package quickstart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// Options configure [Run]. The zero value runs every step with the
// defaults and prints to standard output.
type Options struct {
	// Out receives the account of the steps. Default os.Stdout.
	Out io.Writer
	// Progress receives the progress of the control-plane build, slow on
	// the first run. Default os.Stderr.
	Progress io.Writer
	// ControllerLogs receives the controllers' logs. Default io.Discard.
	ControllerLogs io.Writer
	// WorkDir holds the Git repositories, the artifacts and the
	// kubeconfig. Default: a new temporary directory, removed on return
	// unless Keep is set.
	WorkDir string
	// StepTimeout bounds each step after provisioning. Default 2m.
	StepTimeout time.Duration
	// ProvisionTimeout bounds provisioning the control plane, which builds
	// kube-apiserver and etcd from source on the first run. Default 60m.
	ProvisionTimeout time.Duration
	// Interval is the reconcile interval of the GitRepository and the
	// Sync. Default 3s.
	Interval time.Duration
	// Keep leaves everything running after the steps, with the
	// kubeconfig's path printed, until ctx ends. Default false.
	Keep bool
	// Assets configures how the control-plane binaries are found or
	// built. Default: the zero testenv.AssetsOptions.
	Assets testenv.AssetsOptions
}

func (o *Options) defaults() {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
	if o.ControllerLogs == nil {
		o.ControllerLogs = io.Discard
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 2 * time.Minute
	}
	if o.ProvisionTimeout <= 0 {
		o.ProvisionTimeout = 60 * time.Minute
	}
	if o.Interval <= 0 {
		o.Interval = 3 * time.Second
	}
	if o.Assets.Progress == nil {
		o.Assets.Progress = o.Progress
	}
}

// Run runs the quickstart's steps in order and returns nil when every step
// held, or a *StepError for the first that did not. Everything it starts
// is stopped before it returns.
func Run(ctx context.Context, opts Options) (err error) {
	opts.defaults()
	r := &reporter{w: opts.Out, start: time.Now()}
	r.note("Sluice quickstart: the GitOps loop, on this machine.")

	workDir := opts.WorkDir
	if workDir == "" {
		workDir, err = os.MkdirTemp("", "sluice-quickstart-")
		if err != nil {
			return fmt.Errorf("quickstart: %w", err)
		}
		if !opts.Keep {
			defer func() { _ = os.RemoveAll(workDir) }()
		}
	}
	q := &run{opts: opts, workDir: workDir}
	defer q.stop()

	steps := []struct {
		title string
		fn    func(context.Context) ([]string, error)
		long  bool
	}{
		{"Start a Kubernetes control plane (kube-apiserver + etcd)", q.startControlPlane, true},
		{"Start a Git server and push the demo repository", q.startGitServer, false},
		{"Start the source and applier controllers", q.startControllers, false},
		{"Apply the repository: objects created and Ready", q.applyRepository, false},
		{"Commit a change to Git: the new value lands", q.commitChange, false},
		{"Edit an object by hand: the drift is reverted", q.revertDrift, false},
		{"Remove a file from Git: its object is pruned", q.pruneRemoved, false},
	}
	for _, s := range steps {
		timeout := opts.StepTimeout
		if s.long {
			timeout = opts.ProvisionTimeout
		}
		sctx, cancel := context.WithTimeout(ctx, timeout)
		err := r.step(s.title, func() ([]string, error) { return s.fn(sctx) })
		cancel()
		if err != nil {
			r.note("\nThe quickstart stopped at step %d. Run with --verbose to see the controllers' logs.", r.n)
			return err
		}
	}
	r.note("\nEvery step held, in %s in all.", round(time.Since(r.start)))
	if !opts.Keep {
		return nil
	}
	kubeconfig := filepath.Join(workDir, "kubeconfig")
	data, err := q.env.KubeConfig()
	if err != nil {
		return fmt.Errorf("quickstart: %w", err)
	}
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		return fmt.Errorf("quickstart: write kubeconfig: %w", err)
	}
	r.note("\nStill running (--keep). Try:\n\n  export KUBECONFIG=%s\n  kubectl get gitrepositories,syncs -n %s\n  kubectl get configmaps -n %s\n\nGit repository: %s\nPress Ctrl-C to stop.",
		kubeconfig, systemNamespace, demoNamespace, q.git.HTTPURL(demoRepo))
	<-ctx.Done()
	return nil
}

// run is the state the steps share.
type run struct {
	opts    Options
	workDir string

	env         *testenv.Environment
	client      client.Client
	git         *gitserver.Server
	controllers *controllers
	revision    string // the revision last applied
}

func (q *run) stop() {
	if q.controllers != nil {
		q.controllers.stop()
	}
	if q.git != nil {
		_ = q.git.Close()
	}
	if q.env != nil {
		_ = q.env.Stop()
	}
}

func (q *run) startControlPlane(ctx context.Context) ([]string, error) {
	scheme, err := app.Scheme(sourcev1.AddToScheme, applyv1.AddToScheme)
	if err != nil {
		return nil, err
	}
	env, err := testenv.Start(ctx, testenv.WithAssets(q.opts.Assets), testenv.WithScheme(scheme), testenv.WithCRDsFS(config.CRDs()))
	if err != nil {
		return nil, err
	}
	q.env, q.client = env, env.Client()
	binaries := "kube-apiserver " + testenv.DefaultKubernetesVersion + " and etcd " + testenv.DefaultEtcdVersion
	if dir := os.Getenv(testenv.AssetsEnv); dir != "" && !q.opts.Assets.IgnoreEnv {
		binaries = "kube-apiserver and etcd from " + testenv.AssetsEnv + "=" + dir
	}
	return []string{
		binaries + ", serving at " + env.Config().Host,
		"CRDs installed: GitRepository, OCIRepository, Sync and the other example kinds",
	}, nil
}

func (q *run) startGitServer(ctx context.Context) ([]string, error) {
	srv, err := gitserver.New(ctx, gitserver.WithRoot(filepath.Join(q.workDir, "git")))
	if err != nil {
		return nil, err
	}
	q.git = srv
	if err := srv.StartHTTP(ctx); err != nil {
		return nil, err
	}
	files := demoFiles()
	if _, err := srv.CreateRepo(ctx, demoRepo, gitserver.RepoOptions{Files: files, Message: "demo: a namespace, a config, a service"}); err != nil {
		return nil, err
	}
	head, err := srv.Resolve(ctx, demoRepo, "HEAD")
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return []string{
		"repository " + srv.HTTPURL(demoRepo) + " at " + short(head),
		"files: " + strings.Join(names, ", "),
	}, nil
}

func (q *run) applyRepository(ctx context.Context) ([]string, error) {
	for _, ns := range []string{systemNamespace} {
		if err := q.client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("create namespace %s: %w", ns, err)
		}
	}
	interval := metav1.Duration{Duration: q.opts.Interval}
	repo := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: demoRepo, Namespace: systemNamespace},
		Spec: sourcev1.GitRepositorySpec{
			URL:       q.git.HTTPURL(demoRepo),
			Reference: &sourcev1.GitRepositoryReference{Branch: gitserver.DefaultBranch},
			Interval:  interval,
		},
	}
	if err := q.client.Create(ctx, repo); err != nil {
		return nil, fmt.Errorf("create GitRepository: %w", err)
	}
	sync := newSync(demoRepo, systemNamespace, demoPath, interval)
	if err := q.client.Create(ctx, sync); err != nil {
		return nil, fmt.Errorf("create Sync: %w", err)
	}
	if err := q.waitReady(ctx, repo); err != nil {
		return nil, err
	}
	art := repo.Status.Artifact
	if art == nil {
		return nil, errors.New("the GitRepository is Ready but has no artifact")
	}
	if err := q.waitApplied(ctx, sync, art.Revision); err != nil {
		return nil, err
	}
	q.revision = art.Revision
	var cm corev1.ConfigMap
	if err := q.client.Get(ctx, types.NamespacedName{Namespace: demoNamespace, Name: "app-config"}, &cm); err != nil {
		return nil, fmt.Errorf("read the applied ConfigMap: %w", err)
	}
	if got := cm.Data["greeting"]; got != greetingBefore {
		return nil, fmt.Errorf("ConfigMap app-config has greeting %q, want %q", got, greetingBefore)
	}
	details := []string{
		"GitRepository " + systemNamespace + "/" + demoRepo + " Ready, artifact " + art.Revision,
		"  digest " + art.Digest,
		"Sync " + systemNamespace + "/" + sync.Name + " Ready, applied " + art.Revision,
	}
	for _, id := range inventoryOf(sync) {
		details = append(details, "  applied "+id)
	}
	details = append(details, fmt.Sprintf("ConfigMap %s/app-config: greeting=%q", demoNamespace, cm.Data["greeting"]))
	return details, nil
}

func (q *run) commitChange(ctx context.Context) ([]string, error) {
	commit, err := q.git.Commit(ctx, demoRepo, gitserver.CommitOptions{
		Files:   map[string]string{demoPath + "/app-config.yaml": appConfig(greetingAfter)},
		Message: "app-config: a new greeting",
	})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := q.waitConfigMap(ctx, greetingAfter); err != nil {
		return nil, err
	}
	landed := time.Since(start)
	repo := &sourcev1.GitRepository{}
	if err := q.client.Get(ctx, client.ObjectKey{Namespace: systemNamespace, Name: demoRepo}, repo); err != nil {
		return nil, err
	}
	rev := ""
	if repo.Status.Artifact != nil {
		rev = repo.Status.Artifact.Revision
	}
	q.revision = rev
	return []string{
		"pushed commit " + short(commit) + ` "app-config: a new greeting"`,
		"GitRepository fetched it: artifact " + rev,
		fmt.Sprintf("ConfigMap %s/app-config: greeting=%q, %s after the push", demoNamespace, greetingAfter, round(landed)),
	}, nil
}

func (q *run) revertDrift(ctx context.Context) ([]string, error) {
	key := types.NamespacedName{Namespace: demoNamespace, Name: "app-config"}
	var cm corev1.ConfigMap
	if err := q.client.Get(ctx, key, &cm); err != nil {
		return nil, err
	}
	cm.Data["greeting"] = greetingByHand
	// An Update with its own field manager, as `kubectl edit` does.
	if err := q.client.Update(ctx, &cm, client.FieldOwner("kubectl-edit")); err != nil {
		return nil, fmt.Errorf("edit the ConfigMap by hand: %w", err)
	}
	start := time.Now()
	if err := q.waitConfigMap(ctx, greetingAfter); err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("kubectl-style edit: greeting=%q", greetingByHand),
		fmt.Sprintf("reverted to greeting=%q by the next reconcile, %s later", greetingAfter, round(time.Since(start))),
	}, nil
}

func (q *run) pruneRemoved(ctx context.Context) ([]string, error) {
	commit, err := q.git.Commit(ctx, demoRepo, gitserver.CommitOptions{
		Delete:  []string{demoPath + "/feature-flags.yaml"},
		Message: "remove the feature flags",
	})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	key := types.NamespacedName{Namespace: demoNamespace, Name: "feature-flags"}
	err = poll(ctx, func(ctx context.Context) (bool, error) {
		var cm corev1.ConfigMap
		err := q.client.Get(ctx, key, &cm)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s is still there: %w", key, err)
	}
	var kept corev1.ConfigMap
	if err := q.client.Get(ctx, types.NamespacedName{Namespace: demoNamespace, Name: "app-config"}, &kept); err != nil {
		return nil, fmt.Errorf("ConfigMap app-config should have stayed: %w", err)
	}
	return []string{
		"pushed commit " + short(commit) + ` "remove the feature flags"`,
		fmt.Sprintf("ConfigMap %s pruned %s after the push; app-config and the service stay", key, round(time.Since(start))),
	}, nil
}

// waitReady waits until obj is Ready for its current generation.
func (q *run) waitReady(ctx context.Context, obj client.Object) error {
	key := client.ObjectKeyFromObject(obj)
	return poll(ctx, func(ctx context.Context) (bool, error) {
		if err := q.client.Get(ctx, key, obj); err != nil {
			return false, err
		}
		c, ok := obj.(meta.ObjectWithConditions)
		if !ok {
			return false, fmt.Errorf("%T has no conditions", obj)
		}
		if conditions.IsTrue(c, meta.StalledCondition) {
			return false, fmt.Errorf("%s is stalled: %s", key, conditions.GetMessage(c, meta.StalledCondition))
		}
		return conditions.IsTrue(c, meta.ReadyCondition) && conditions.GetObservedGeneration(c, meta.ReadyCondition) == obj.GetGeneration(), nil
	})
}

func (q *run) waitConfigMap(ctx context.Context, greeting string) error {
	key := types.NamespacedName{Namespace: demoNamespace, Name: "app-config"}
	last := ""
	err := poll(ctx, func(ctx context.Context) (bool, error) {
		var cm corev1.ConfigMap
		if err := q.client.Get(ctx, key, &cm); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		last = cm.Data["greeting"]
		return last == greeting, nil
	})
	if err != nil {
		return fmt.Errorf("ConfigMap %s has greeting %q, want %q: %w", key, last, greeting, err)
	}
	return nil
}

// poll calls cond every 100 ms until it returns true or an error, or ctx
// ends.
func poll(ctx context.Context, cond func(context.Context) (bool, error)) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		ok, err := cond(ctx)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
	}
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
