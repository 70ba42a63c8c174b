package ssa_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

// The helpers of the wait, delete and prune tests. Their names start with
// "lc" (lifecycle) to stay apart from the apply tests' helpers.

// lcOwner is the owner the wait, delete and prune tests act as.
var lcOwner = ssa.Owner{Field: "sluice-lifecycle", Group: "lifecycle.sluice.dev", Name: "tenant", Namespace: "sluice-system"}

// lcWidgetCRD serves lifecycle.sluice.dev/v1 Widget, a namespaced kind
// with a status subresource whose conditions the tests set by hand.
const lcWidgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.lifecycle.sluice.dev
spec:
  group: lifecycle.sluice.dev
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`

var (
	lcCRDOnce sync.Once
	lcCRDErr  error
)

// lcInstallWidgets installs the Widget CRD once for the package.
func lcInstallWidgets(t *testing.T) {
	t.Helper()
	lcCRDOnce.Do(func() {
		_, lcCRDErr = testEnv.InstallCRDs(t.Context(), fstest.MapFS{"widget.yaml": {Data: []byte(lcWidgetCRD)}})
	})
	if lcCRDErr != nil {
		t.Fatal(lcCRDErr)
	}
}

// lcNamespace creates a namespace for one test.
func lcNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns, err := testEnv.CreateNamespace(t.Context(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// lcWatchClient returns a client that can watch.
func lcWatchClient(t *testing.T) client.WithWatch {
	t.Helper()
	c, err := client.NewWithWatch(testEnv.Config(), client.Options{Scheme: testEnv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lcManager returns a manager for owner over a client that can watch.
func lcManager(t *testing.T, owner ssa.Owner, opts ...ssa.Option) *ssa.ResourceManager {
	t.Helper()
	c := lcWatchClient(t)
	m, err := ssa.New(c, owner, append([]ssa.Option{ssa.WithWatchClient(c)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lcObject returns an object with its identity and labels set.
func lcObject(apiVersion, kind, namespace, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	if labels != nil {
		u.SetLabels(labels)
	}
	return u
}

// lcCreate creates o on the cluster and returns the created object.
func lcCreate(t *testing.T, o *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	o = o.DeepCopy()
	NewWithT(t).Expect(testEnv.Client().Create(t.Context(), o)).To(Succeed())
	return o
}

// lcGet reads o; found is false when it does not exist.
func lcGet(t *testing.T, o *unstructured.Unstructured) (live *unstructured.Unstructured, found bool) {
	t.Helper()
	live = &unstructured.Unstructured{}
	live.SetGroupVersionKind(o.GroupVersionKind())
	err := testEnv.Client().Get(t.Context(), client.ObjectKeyFromObject(o), live)
	if client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	return live, err == nil
}

// lcSetConditions replaces the status conditions of the Widget w.
func lcSetConditions(t *testing.T, w *unstructured.Unstructured, conds ...metav1.Condition) {
	t.Helper()
	g := NewWithT(t)
	live, found := lcGet(t, w)
	g.Expect(found).To(BeTrue())
	list := make([]any, len(conds))
	for i, c := range conds {
		list[i] = map[string]any{
			"type": c.Type, "status": string(c.Status), "reason": c.Reason, "message": c.Message,
			"lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
		}
	}
	g.Expect(unstructured.SetNestedSlice(live.Object, list, "status", "conditions")).To(Succeed())
	g.Expect(testEnv.Client().Status().Update(t.Context(), live)).To(Succeed())
}

// lcRemoveFinalizers clears the finalizers of o if it still exists. It
// runs in cleanups too, where t.Context() is already cancelled.
func lcRemoveFinalizers(t *testing.T, o *unstructured.Unstructured) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"finalizers":null}}`))
	if err := testEnv.Client().Patch(ctx, o.DeepCopy(), patch); client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
}

// lcRecorder records the DELETE requests sent through it.
type lcRecorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	deletes []string
}

func (r *lcRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodDelete {
		parts := strings.Split(req.URL.Path, "/")
		r.mu.Lock()
		// ".../<resource>/<name>"
		r.deletes = append(r.deletes, strings.Join(parts[len(parts)-2:], "/"))
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func (r *lcRecorder) recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.deletes...)
}

// lcRecordingManager returns a manager whose DELETE requests are recorded.
func lcRecordingManager(t *testing.T, owner ssa.Owner, opts ...ssa.Option) (*ssa.ResourceManager, *lcRecorder) {
	t.Helper()
	cfg := testEnv.Config()
	rec := &lcRecorder{}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		rec.next = rt
		return rec
	}
	m := lcManagerFor(t, cfg, owner, opts...)
	return m, rec
}

func lcManagerFor(t *testing.T, cfg *rest.Config, owner ssa.Owner, opts ...ssa.Option) *ssa.ResourceManager {
	t.Helper()
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: testEnv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ssa.New(c, owner, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
