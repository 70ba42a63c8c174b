package ssa_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

// testOwner is the owner the tests apply as.
var testOwner = ssa.Owner{Field: "sluice-test", Group: "test.sluice.dev", Name: "tenant", Namespace: "sluice-system"}

// countingTransport counts the requests sent through it, by method.
type countingTransport struct {
	next  http.RoundTripper
	total atomic.Int64
	mu    sync.Mutex
	verbs map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.total.Add(1)
	c.mu.Lock()
	c.verbs[r.Method]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// reset zeroes the counts and returns what they were.
func (c *countingTransport) reset() (int64, map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.verbs
	c.verbs = map[string]int{}
	return c.total.Swap(0), v
}

// countingClient returns a client whose requests are counted, with its
// RESTMapper already warm for core kinds, apps and apiextensions.
func countingClient(t *testing.T) (client.Client, *countingTransport) {
	t.Helper()
	cfg := testEnv.Config()
	ct := &countingTransport{verbs: map[string]int{}}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		ct.next = rt
		return ct
	}
	c, err := client.New(cfg, client.Options{Scheme: testEnv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []*unstructured.Unstructured{
		obj("v1", "ConfigMap", "default", "warm"),
		obj("apps/v1", "Deployment", "default", "warm"),
	} {
		if _, err := c.IsObjectNamespaced(o); err != nil {
			t.Fatal(err)
		}
	}
	ct.reset()
	return c, ct
}

// newManager returns a manager for testOwner over c (the shared client
// when nil).
func newManager(t *testing.T, c client.Client, opts ...ssa.Option) *ssa.ResourceManager {
	t.Helper()
	if c == nil {
		c = testEnv.Client()
	}
	m, err := ssa.New(c, testOwner, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns, err := testEnv.CreateNamespace(t.Context(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// obj returns an object with only its identity set.
func obj(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

// configMap returns a ConfigMap with data.
func configMap(namespace, name string, data map[string]any) *unstructured.Unstructured {
	u := obj("v1", "ConfigMap", namespace, name)
	u.Object["data"] = data
	return u
}

// deployment returns a Deployment of one nginx container with a port,
// leaving many fields to server defaults.
func deployment(namespace, name string, replicas int64, image string) *unstructured.Unstructured {
	u := obj("apps/v1", "Deployment", namespace, name)
	u.Object["spec"] = map[string]any{
		"replicas": replicas,
		"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"app": name}},
			"spec": map[string]any{
				"containers": []any{map[string]any{
					"name":  "web",
					"image": image,
					"ports": []any{map[string]any{"containerPort": int64(80)}},
					"env":   []any{map[string]any{"name": "A", "value": "1"}, map[string]any{"name": "B", "value": "2"}},
				}},
			},
		},
	}
	return u
}

// live reads the current state of o.
func live(t *testing.T, o *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(o.GroupVersionKind())
	NewWithT(t).Expect(testEnv.Client().Get(t.Context(), client.ObjectKeyFromObject(o), u)).To(Succeed())
	return u
}

// applyOne applies o and returns its action.
func applyOne(t *testing.T, m *ssa.ResourceManager, o *unstructured.Unstructured, opts ssa.ApplyOptions) ssa.Action {
	t.Helper()
	ch, err := m.Apply(t.Context(), o.DeepCopy(), opts)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return ch.Action
}

// nestedString returns the string at fields of obj, or "".
func nestedString(obj map[string]any, fields ...string) string {
	s, _, _ := unstructured.NestedString(obj, fields...)
	return s
}

// nestedInt64 returns the integer at fields of obj, or 0.
func nestedInt64(obj map[string]any, fields ...string) int64 {
	n, _, _ := unstructured.NestedInt64(obj, fields...)
	return n
}
