// Command applier-controller is the example applier controller, the role
// Flux's kustomize-controller plays: it applies the manifests of the
// artifacts that source-controller serves, as apply.sluice.dev/v1 Syncs
// ask, prunes what leaves the source and reverts drift.
//
// Usage:
//
//	go run ./examples/cmd/applier-controller --kubeconfig ~/.kube/config \
//		--default-service-account default --no-cross-namespace-refs
//
// Install the CRDs first (kubectl apply -f examples/config/crd). Run it with
// --help for the flags.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/sluice-dev/sluice/runtime/metrics"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/examples/internal/controller/applier"
)

const name = "applier-controller"

func main() {
	var (
		concurrent   int
		fieldManager string
	)
	bind := func(fs *pflag.FlagSet) {
		fs.IntVar(&concurrent, "concurrent", applier.DefaultMaxConcurrentReconciles, "number of Syncs reconciled at once")
		fs.StringVar(&fieldManager, "field-manager", applier.DefaultFieldManager, "server-side apply field manager of the applied objects")
	}
	setup := func(_ context.Context, mgr ctrl.Manager, env app.Env) error {
		rec, err := metrics.NewRecorder(metrics.WithScheme(mgr.GetScheme()))
		if err != nil {
			return fmt.Errorf("new metrics recorder: %w", err)
		}
		r := &applier.SyncReconciler{
			EventRecorder:           env.Recorder,
			Metrics:                 rec,
			Access:                  env.Options.Access,
			FieldManager:            fieldManager,
			MaxConcurrentReconciles: concurrent,
		}
		return r.SetupWithManager(mgr)
	}
	os.Exit(app.Main(name, []func(*runtime.Scheme) error{sourcev1.AddToScheme, applyv1.AddToScheme}, bind, setup))
}
