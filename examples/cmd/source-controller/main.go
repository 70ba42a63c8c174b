// Command source-controller is the example source controller: it reconciles
// GitRepositories and OCIRepositories into artifacts, reproducible tar.gz
// archives kept under --storage-path and served over HTTP on --storage-addr,
// advertised in status.artifact.url under --storage-adv-addr.
//
// Usage:
//
//	go run ./examples/cmd/source-controller --kubeconfig ~/.kube/config \
//		--storage-path /tmp/artifacts --storage-addr :9090 --storage-adv-addr http://localhost:9090
//
// Run it with --help for the flags.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/examples/internal/storage"
)

const name = "source-controller"

func main() {
	var (
		storagePath, storageAddr, storageAdvAddr string
		retention, concurrent                    int
	)
	bind := func(fs *pflag.FlagSet) {
		fs.StringVar(&storagePath, "storage-path", filepath.Join(os.TempDir(), name), "directory the artifacts are stored in")
		fs.StringVar(&storageAddr, "storage-addr", ":9090", "address the artifacts are served on")
		fs.StringVar(&storageAdvAddr, "storage-adv-addr", "", "base URL advertised in status.artifact.url (default: http://<storage-addr host, or localhost>:<port>)")
		fs.IntVar(&retention, "artifact-retention", storage.DefaultRetention, "number of artifacts kept per object, the newest included")
		fs.IntVar(&concurrent, "concurrent", 2, "number of objects of each kind reconciled at once")
	}
	setup := func(_ context.Context, mgr ctrl.Manager, env app.Env) error {
		adv, err := advertisedURL(storageAddr, storageAdvAddr)
		if err != nil {
			return err
		}
		st, err := storage.New(storagePath, adv, storage.WithRetention(retention))
		if err != nil {
			return err
		}
		c, insecure := mgr.GetClient(), env.Options.InsecureHTTP
		for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{
			&source.GitRepositoryReconciler{Client: c, Storage: st, EventRecorder: env.Recorder, InsecureHTTP: insecure, MaxConcurrentReconciles: concurrent},
			&source.OCIRepositoryReconciler{Client: c, Storage: st, EventRecorder: env.Recorder, InsecureHTTP: insecure, MaxConcurrentReconciles: concurrent},
		} {
			if err := r.SetupWithManager(mgr); err != nil {
				return err
			}
		}
		timeout := 30 * time.Second
		env.Logger.Info("serving artifacts", "path", st.Root(), "addr", storageAddr, "url", st.BaseURL())
		return mgr.Add(&manager.Server{
			Name:            "storage",
			Server:          &http.Server{Addr: storageAddr, Handler: st.Handler(), ReadHeaderTimeout: 10 * time.Second},
			ShutdownTimeout: &timeout,
		})
	}
	os.Exit(app.Main(name, []func(*runtime.Scheme) error{sourcev1.AddToScheme}, bind, setup))
}

// advertisedURL returns adv, or the URL a client on this machine reaches
// addr at.
func advertisedURL(addr, adv string) (string, error) {
	if adv != "" {
		return adv, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--storage-addr %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}
