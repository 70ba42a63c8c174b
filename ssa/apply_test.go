package ssa_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

func TestApplyCreatesLabelsAndRecordsHash(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "create")
	m := newManager(t, nil)
	objs := []*unstructured.Unstructured{
		configMap(ns, "b", map[string]any{"k": "v"}),
		configMap(ns, "a", map[string]any{"k": "v"}),
	}
	cs, err := m.ApplyAll(t.Context(), objs, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.String()).To(Equal("ConfigMap/" + ns + "/a created\nConfigMap/" + ns + "/b created"))

	got := live(t, objs[0])
	g.Expect(got.GetLabels()).To(Equal(testOwner.Labels()))
	g.Expect(got.GetAnnotations()).To(HaveKeyWithValue(testOwner.HashAnnotation(), HavePrefix("sha256:")))
	g.Expect(got.GetManagedFields()).To(ContainElement(And(
		HaveField("Manager", testOwner.Field),
		HaveField("Operation", metav1.ManagedFieldsOperationApply))))

	cs, err = m.ApplyAll(t.Context(), objs, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Count(ssa.Unchanged)).To(Equal(2))
}

func TestApplyRejectsInvalidInput(t *testing.T) {
	m := newManager(t, nil)
	for name, objs := range map[string][]*unstructured.Unstructured{
		"no name":   {obj("v1", "ConfigMap", "default", "")},
		"no kind":   {obj("v1", "", "default", "x")},
		"duplicate": {configMap("default", "x", nil), configMap("default", "x", nil)},
		"nil":       {nil},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := m.ApplyAll(t.Context(), objs, ssa.ApplyOptions{})
			NewWithT(t).Expect(err).To(MatchError(ssa.ErrInvalidObject))
		})
	}
	t.Run("namespaced without namespace", func(t *testing.T) {
		_, err := m.Apply(t.Context(), configMap("", "x", nil), ssa.ApplyOptions{})
		NewWithT(t).Expect(err).To(MatchError(ssa.ErrInvalidObject))
	})
	t.Run("bad ignore rule", func(t *testing.T) {
		_, err := m.Apply(t.Context(), configMap("default", "x", nil), ssa.ApplyOptions{
			IgnoreRules: []ssa.IgnoreRule{{Paths: []string{"spec"}}},
		})
		NewWithT(t).Expect(err).To(MatchError(ssa.ErrInvalidApplyOptions))
	})
}

// TestDrift proves each drift case against the real apiserver, counting
// requests to show which verdicts need no write.
func TestDrift(t *testing.T) {
	c, counter := countingClient(t)
	m := newManager(t, c)
	ns := newNamespace(t, "drift")
	ctx := t.Context()

	// noop applies o and expects Unchanged decided from the one Get alone.
	noop := func(t *testing.T, o *unstructured.Unstructured) {
		t.Helper()
		counter.reset()
		NewWithT(t).Expect(applyOne(t, m, o, ssa.ApplyOptions{})).To(Equal(ssa.Unchanged))
		n, verbs := counter.reset()
		NewWithT(t).Expect(n).To(BeEquivalentTo(1), "requests %v", verbs)
	}

	t.Run("server defaults are not drift", func(t *testing.T) {
		g := NewWithT(t)
		d := deployment(ns, "defaults", 2, "nginx:1")
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		got := live(t, d)
		// The server filled in defaults we never set, including a list key
		// (the port protocol) of an associative list.
		g.Expect(nestedString(got.Object, "spec", "strategy", "type")).To(Equal("RollingUpdate"))
		ports, _, _ := unstructured.NestedSlice(got.Object, "spec", "template", "spec", "containers")
		g.Expect(ports[0]).To(HaveKeyWithValue("ports", ContainElement(HaveKeyWithValue("protocol", "TCP"))))
		noop(t, d)
	})

	t.Run("a field another manager changed is drift", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "changed", map[string]any{"a": "1", "b": "2"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		patch := []byte(`{"data":{"a":"changed"}}`)
		g.Expect(testEnv.Client().Patch(ctx, d.DeepCopy(), client.RawPatch(types.MergePatchType, patch), client.FieldOwner("intruder"))).To(Succeed())
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1", "b": "2"}))
		noop(t, d)
	})

	t.Run("a list element another manager changed is drift", func(t *testing.T) {
		g := NewWithT(t)
		d := deployment(ns, "image", 1, "nginx:1")
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		cur := live(t, d)
		containers, _, _ := unstructured.NestedSlice(cur.Object, "spec", "template", "spec", "containers")
		containers[0].(map[string]any)["image"] = "evil:1"
		g.Expect(unstructured.SetNestedSlice(cur.Object, containers, "spec", "template", "spec", "containers")).To(Succeed())
		g.Expect(testEnv.Client().Update(ctx, cur, client.FieldOwner("kubectl-edit"))).To(Succeed())
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		containers, _, _ = unstructured.NestedSlice(live(t, d).Object, "spec", "template", "spec", "containers")
		g.Expect(containers[0]).To(HaveKeyWithValue("image", "nginx:1"))
	})

	t.Run("a list element someone removed is drift", func(t *testing.T) {
		g := NewWithT(t)
		d := deployment(ns, "env", 1, "nginx:1")
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		patch := []byte(`[{"op":"remove","path":"/spec/template/spec/containers/0/env/1"}]`)
		g.Expect(testEnv.Client().Patch(ctx, d.DeepCopy(), client.RawPatch(types.JSONPatchType, patch), client.FieldOwner("intruder"))).To(Succeed())
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		containers, _, _ := unstructured.NestedSlice(live(t, d).Object, "spec", "template", "spec", "containers")
		g.Expect(containers[0]).To(HaveKeyWithValue("env", HaveLen(2)))
		noop(t, d)
	})

	t.Run("a field someone removed is drift", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "removed", map[string]any{"a": "1", "b": "2"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		patch := []byte(`{"data":{"b":null}}`)
		g.Expect(testEnv.Client().Patch(ctx, d.DeepCopy(), client.RawPatch(types.MergePatchType, patch))).To(Succeed())
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1"}))
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1", "b": "2"}))
	})

	t.Run("a field we stopped setting is removed", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "stopped", map[string]any{"a": "1", "b": "2"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		d.Object["data"] = map[string]any{"a": "1"}
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1"}))
		noop(t, d)
	})

	t.Run("a changed desired value is applied", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "value", map[string]any{"a": "1"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		d.Object["data"] = map[string]any{"a": "2"}
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "2"}))
	})

	t.Run("fields only others set are not drift", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "others", map[string]any{"a": "1"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		patch := []byte(`{"metadata":{"labels":{"team":"x"}},"data":{"extra":"y"}}`)
		g.Expect(testEnv.Client().Patch(ctx, d.DeepCopy(), client.RawPatch(types.MergePatchType, patch), client.FieldOwner("other"))).To(Succeed())
		noop(t, d)
		g.Expect(live(t, d).Object["data"]).To(HaveKeyWithValue("extra", "y"))
	})

	t.Run("the same value applied by another manager is not drift", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "shared", map[string]any{"a": "1"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		other := configMap(ns, "shared", map[string]any{"a": "1"})
		g.Expect(testEnv.Client().Apply(ctx, client.ApplyConfigurationFromUnstructured(other), client.FieldOwner("peer"))).To(Succeed())
		noop(t, d)
	})

	t.Run("a value forced by another applier is drift", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "forced", map[string]any{"a": "1"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		other := configMap(ns, "forced", map[string]any{"a": "2"})
		g.Expect(testEnv.Client().Apply(ctx, client.ApplyConfigurationFromUnstructured(other), client.FieldOwner("peer"), client.ForceOwnership)).To(Succeed())
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1"}))
	})

	t.Run("a deleted owner label is drift", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "label", map[string]any{"a": "1"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		patch := []byte(`{"metadata":{"labels":{"` + testOwner.NameLabel() + `":null}}}`)
		g.Expect(testEnv.Client().Patch(ctx, d.DeepCopy(), client.RawPatch(types.MergePatchType, patch))).To(Succeed())
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
		g.Expect(live(t, d).GetLabels()).To(Equal(testOwner.Labels()))
	})
}

func TestImmutableField(t *testing.T) {
	ns := newNamespace(t, "immutable")
	m := newManager(t, nil)
	withSelector := func(name, app string, ann map[string]string) *unstructured.Unstructured {
		d := deployment(ns, name, 1, "nginx:1")
		_ = unstructured.SetNestedField(d.Object, map[string]any{"app": app}, "spec", "selector", "matchLabels")
		_ = unstructured.SetNestedField(d.Object, map[string]any{"app": app}, "spec", "template", "metadata", "labels")
		d.SetAnnotations(ann)
		return d
	}

	t.Run("typed error without force", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(applyOne(t, m, withSelector("typed", "one", nil), ssa.ApplyOptions{})).To(Equal(ssa.Created))
		_, err := m.Apply(t.Context(), withSelector("typed", "two", nil), ssa.ApplyOptions{})
		var ife *ssa.ImmutableFieldError
		g.Expect(errors.As(err, &ife)).To(BeTrue(), "%v", err)
		g.Expect(ife.ID).To(Equal(ssa.ObjectID{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "typed"}))
		g.Expect(ife.Fields).To(ContainElement("spec.selector"))
		g.Expect(err.Error()).To(ContainSubstring("Deployment.apps/" + ns + "/typed"))
	})

	t.Run("recreate with the force option", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(applyOne(t, m, withSelector("forced", "one", nil), ssa.ApplyOptions{})).To(Equal(ssa.Created))
		uid := live(t, withSelector("forced", "one", nil)).GetUID()
		g.Expect(applyOne(t, m, withSelector("forced", "two", nil), ssa.ApplyOptions{Force: true})).To(Equal(ssa.Created))
		got := live(t, withSelector("forced", "two", nil))
		g.Expect(got.GetUID()).NotTo(Equal(uid))
		g.Expect(nestedString(got.Object, "spec", "selector", "matchLabels", "app")).To(Equal("two"))
	})

	t.Run("recreate with the force annotation", func(t *testing.T) {
		g := NewWithT(t)
		force := map[string]string{testOwner.ForceKey(): ssa.ForceEnabled}
		g.Expect(applyOne(t, m, withSelector("annotated", "one", force), ssa.ApplyOptions{})).To(Equal(ssa.Created))
		g.Expect(applyOne(t, m, withSelector("annotated", "two", force), ssa.ApplyOptions{})).To(Equal(ssa.Created))
	})

	t.Run("service cluster IP", func(t *testing.T) {
		g := NewWithT(t)
		svc := func(ip string) *unstructured.Unstructured {
			s := obj("v1", "Service", ns, "svc")
			s.Object["spec"] = map[string]any{"clusterIP": ip, "ports": []any{map[string]any{"port": int64(80)}}}
			return s
		}
		g.Expect(applyOne(t, m, svc("10.0.0.77"), ssa.ApplyOptions{})).To(Equal(ssa.Created))
		_, err := m.Apply(t.Context(), svc("10.0.0.78"), ssa.ApplyOptions{})
		var ife *ssa.ImmutableFieldError
		g.Expect(errors.As(err, &ife)).To(BeTrue(), "%v", err)
		g.Expect(ife.Fields).To(ContainElement(HavePrefix("spec.clusterIP")))
	})
}
