package image_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/controller/image"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv"
)

var (
	env *testenv.Environment
	// k8s is a client of the control plane, without cache.
	k8s client.Client
	// setupErr is why the manager did not start, if it did not.
	setupErr error
	// received is the notification receiver the reconcilers post their
	// events to.
	received *receiver
)

func TestMain(m *testing.M) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, imagev1.AddToScheme, sourcev1.AddToScheme} {
		if err := add(scheme); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	ctrl.SetLogger(logr.Discard())
	received = newReceiver()
	code := testenv.RunMain(m, func(e *testenv.Environment) {
		env, k8s = e, e.Client()
		setupErr = setup(e.Manager(), scheme)
	}, testenv.WithScheme(scheme), testenv.WithCRDsFS(config.CRDs()),
		testenv.WithManager(ctrl.Options{Metrics: metricsserver.Options{BindAddress: "0"}}))
	received.Close()
	os.Exit(code)
}

// setup adds the three reconcilers to the environment's running manager,
// which the environment stops before the control plane. Their events go to
// received.
func setup(mgr ctrl.Manager, scheme *runtime.Scheme) error {
	rec, err := events.NewRecorder(nil, "image-controller", events.WithWebhook(received.URL),
		events.WithInsecureHTTP(), events.WithScheme(scheme))
	if err != nil {
		return err
	}
	tags := image.NewTagStore()
	if err := (&image.ImageRepositoryReconciler{Client: mgr.GetClient(), Tags: tags, EventRecorder: rec,
		InsecureHTTP: flags.InsecureHTTPOptions{Allow: true}}).SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&image.ImagePolicyReconciler{Client: mgr.GetClient(), Tags: tags, EventRecorder: rec}).SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&image.ImageUpdateAutomationReconciler{Client: mgr.GetClient(), EventRecorder: rec,
		InsecureHTTP: flags.InsecureHTTPOptions{Allow: true}}).SetupWithManager(mgr); err != nil {
		return err
	}
	return nil
}

// needManager fails t when the manager did not start.
func needManager(t *testing.T) {
	t.Helper()
	if setupErr != nil {
		t.Fatalf("manager: %v", setupErr)
	}
}
