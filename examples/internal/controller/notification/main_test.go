package notification_test

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	crds "github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
	"github.com/sluice-dev/sluice/testenv"
)

var (
	env *testenv.Environment
	// setupErr is the error of registering the reconcilers, reported by
	// every test that needs them.
	setupErr error
)

func scheme() *runtime.Scheme {
	s := testenv.DefaultScheme()
	_ = notificationv1.AddToScheme(s)
	_ = sourcev1.AddToScheme(s)
	return s
}

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env, setupErr = e, setupReconcilers(e.Manager()) },
		testenv.WithScheme(scheme()),
		testenv.WithCRDsFS(crds.CRDs(),
			"notification.sluice.dev_providers.yaml",
			"notification.sluice.dev_alerts.yaml",
			"notification.sluice.dev_receivers.yaml",
			"source.sluice.dev_gitrepositories.yaml"),
		testenv.WithManager(manager.Options{
			Metrics:    metricsserver.Options{BindAddress: "0"},
			Controller: config.Controller{SkipNameValidation: ptr(true)},
		}),
	))
}

func ptr[T any](v T) *T { return &v }

// setupReconcilers registers the three reconcilers with the environment's
// manager. The Provider reconciler allows plain HTTP: the test sinks are
// httptest servers.
func setupReconcilers(m manager.Manager) error {
	for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{
		&notification.ProviderReconciler{Client: m.GetClient(), APIReader: m.GetAPIReader(), AllowInsecureHTTP: true, Interval: time.Minute},
		&notification.AlertReconciler{Client: m.GetClient(), Interval: time.Minute},
		&notification.ReceiverReconciler{Client: m.GetClient(), APIReader: m.GetAPIReader()},
	} {
		if err := r.SetupWithManager(m); err != nil {
			return err
		}
	}
	return nil
}

// needReconcilers fails t when the reconcilers could not be registered.
func needReconcilers(t *testing.T) {
	t.Helper()
	if setupErr != nil {
		t.Fatalf("setup reconcilers: %v", setupErr)
	}
}

// namespace creates a namespace for one test.
func namespace(t *testing.T) string {
	t.Helper()
	ns, err := env.CreateNamespace(t.Context(), "notif")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// createSecret creates a Secret with data.
func createSecret(ctx context.Context, t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
	if err := env.Client().Create(ctx, s); err != nil {
		t.Fatalf("create secret: %v", err)
	}
}

const (
	eventually = 30 * time.Second
	poll       = 100 * time.Millisecond
)
