package source_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv"
)

var (
	env *testenv.Environment
	// store is the storage the reconcilers of the manager write to, served
	// by artifactServer.
	store          *storage.Storage
	artifactServer *httptest.Server
	// received holds the events the reconcilers posted.
	received = &eventSink{}
)

// eventSink is a notification receiver that keeps the events posted to it.
type eventSink struct {
	mu     sync.Mutex
	events []event.Event
}

func (s *eventSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var e event.Event
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
}

// find returns the events about the object namespace/name.
func (s *eventSink) find(namespace, name string) []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Event
	for _, e := range s.events {
		if e.InvolvedObject.Namespace == namespace && e.InvolvedObject.Name == name {
			out = append(out, e)
		}
	}
	return out
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, sourcev1.AddToScheme, corev1.AddToScheme} {
		if err := add(scheme); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	dir, err := os.MkdirTemp("", "source-storage-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	var handler http.Handler
	artifactServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer artifactServer.Close()
	store, err = storage.New(dir, artifactServer.URL)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	handler = store.Handler()
	receiver := httptest.NewServer(received)
	defer receiver.Close()

	return testenv.RunMain(m, func(e *testenv.Environment) {
		env = e
		mgr := e.Manager()
		insecure := flags.InsecureHTTPOptions{Allow: true}
		rec, err := events.NewRecorder(mgr.GetEventRecorder("source-controller"), "source-controller",
			events.WithWebhook(receiver.URL), events.WithInsecureHTTP(), events.WithScheme(mgr.GetScheme()))
		if err != nil {
			panic(err)
		}
		if err := (&source.GitRepositoryReconciler{
			Client: mgr.GetClient(), Storage: store, EventRecorder: rec, InsecureHTTP: insecure, MaxConcurrentReconciles: 2,
		}).SetupWithManager(mgr); err != nil {
			panic(err)
		}
		if err := (&source.OCIRepositoryReconciler{
			Client: mgr.GetClient(), Storage: store, EventRecorder: rec, InsecureHTTP: insecure, MaxConcurrentReconciles: 2,
		}).SetupWithManager(mgr); err != nil {
			panic(err)
		}
	},
		testenv.WithScheme(scheme),
		testenv.WithCRDsFS(config.CRDs()),
		testenv.WithManager(manager.Options{}),
	)
}

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns, err := env.CreateNamespace(t.Context(), "source")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// eventually is the timeout of the assertions that wait for a reconcile.
const eventually = 60 * time.Second

// ctxBG is the context of reads inside Eventually.
var ctxBG = context.Background()

// mergePatch applies a JSON merge patch to obj on the server.
func mergePatch(t *testing.T, obj client.Object, patch map[string]any) {
	t.Helper()
	b, err := json.Marshal(patch)
	if err != nil {
		t.Fatal(err)
	}
	target := obj.DeepCopyObject().(client.Object)
	if err := env.Client().Patch(t.Context(), target, client.RawPatch(types.MergePatchType, b)); err != nil {
		t.Fatal(err)
	}
}

// requestReconcile sets the reconcile-request annotation of obj to token.
func requestReconcile(t *testing.T, obj client.Object, token string) {
	t.Helper()
	mergePatch(t, obj, map[string]any{"metadata": map[string]any{"annotations": map[string]string{meta.ReconcileRequestAnnotation: token}}})
}

// objectKey returns obj's key.
func objectKey(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }
