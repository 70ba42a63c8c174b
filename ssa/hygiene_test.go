package ssa_test

import (
	"encoding/json"
	"strconv"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

// kubectlApply makes o the way kubectl's client-side apply does: a write
// by field manager kubectl-client-side-apply carrying the last-applied
// annotation with the applied configuration. It creates o, or updates it
// when it exists.
func kubectlApply(t *testing.T, o *unstructured.Unstructured, update bool) {
	t.Helper()
	g := NewWithT(t)
	cfg, err := json.Marshal(o.Object)
	g.Expect(err).NotTo(HaveOccurred())
	u := o.DeepCopy()
	u.SetAnnotations(map[string]string{ssa.LastAppliedAnnotation: string(cfg) + "\n"})
	if !update {
		g.Expect(testEnv.Client().Create(t.Context(), u, client.FieldOwner(ssa.KubectlClientSideApplyManager))).To(Succeed())
		return
	}
	cur := live(t, o)
	u.SetResourceVersion(cur.GetResourceVersion())
	g.Expect(testEnv.Client().Update(t.Context(), u, client.FieldOwner(ssa.KubectlClientSideApplyManager))).To(Succeed())
}

func managers(o *unstructured.Unstructured) []string {
	var out []string
	for _, e := range o.GetManagedFields() {
		out = append(out, e.Manager+"/"+string(e.Operation))
	}
	return out
}

func TestTakeOverFromKubectlClientSideApply(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "kubectl")
	m := newManager(t, nil)
	cm := configMap(ns, "legacy", map[string]any{"a": "1", "b": "2"})
	kubectlApply(t, cm, false)
	cm.Object["data"] = map[string]any{"a": "1", "b": "2", "c": "3"}
	kubectlApply(t, cm, true)
	before := live(t, cm)
	g.Expect(before.GetAnnotations()).To(HaveKey(ssa.LastAppliedAnnotation))
	g.Expect(managers(before)).To(ConsistOf(ssa.KubectlClientSideApplyManager + "/Update"))

	// Sluice now owns the object and no longer sets "c".
	desired := configMap(ns, "legacy", map[string]any{"a": "1", "b": "2"})
	g.Expect(applyOne(t, m, desired, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
	after := live(t, desired)
	g.Expect(after.GetAnnotations()).NotTo(HaveKey(ssa.LastAppliedAnnotation))
	g.Expect(after.Object["data"]).To(Equal(map[string]any{"a": "1", "b": "2"}))
	g.Expect(managers(after)).To(ConsistOf(testOwner.Field + "/Apply"))
	g.Expect(applyOne(t, m, desired, ssa.ApplyOptions{})).To(Equal(ssa.Unchanged))
}

func TestTakeOverFromForeignManagers(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "foreign")
	old := configMap(ns, "handover", map[string]any{"a": "1", "legacy": "x"})
	g.Expect(testEnv.Client().Apply(t.Context(), client.ApplyConfigurationFromUnstructured(old.DeepCopy()), client.FieldOwner("old-controller"))).To(Succeed())
	desired := configMap(ns, "handover", map[string]any{"a": "1"})

	// Without the take-over option the old controller keeps "legacy".
	plain := newManager(t, nil)
	g.Expect(applyOne(t, plain, desired, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
	g.Expect(live(t, desired).Object["data"]).To(HaveKey("legacy"))

	m := newManager(t, nil, ssa.WithTakeOverManagers("old-controller"))
	g.Expect(applyOne(t, m, desired, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
	got := live(t, desired)
	g.Expect(got.Object["data"]).To(Equal(map[string]any{"a": "1"}))
	g.Expect(managers(got)).To(ConsistOf(testOwner.Field + "/Apply"))
	g.Expect(applyOne(t, m, desired, ssa.ApplyOptions{})).To(Equal(ssa.Unchanged))
}

func TestIgnoreRules(t *testing.T) {
	ns := newNamespace(t, "ignore")
	m := newManager(t, nil)
	ctx := t.Context()
	hpa := ssa.IgnoreRule{
		Paths:    []string{"/spec/replicas", "/spec/template/spec/containers/0/resources"},
		Selector: ssa.Selector{Group: "apps", Kind: "Deployment", LabelSelector: "scaled=true"},
	}
	scaleTo := func(t *testing.T, d *unstructured.Unstructured, n int64) {
		t.Helper()
		cur := live(t, d)
		_ = unstructured.SetNestedField(cur.Object, n, "spec", "replicas")
		NewWithT(t).Expect(testEnv.Client().Update(ctx, cur, client.FieldOwner("autoscaler"))).To(Succeed())
	}

	t.Run("ignored values are kept and are not drift", func(t *testing.T) {
		g := NewWithT(t)
		d := deployment(ns, "scaled", 2, "nginx:1")
		d.SetLabels(map[string]string{"scaled": "true"})
		opts := ssa.ApplyOptions{IgnoreRules: []ssa.IgnoreRule{hpa}}
		g.Expect(applyOne(t, m, d, opts)).To(Equal(ssa.Created))
		g.Expect(nestedInt64(live(t, d).Object, "spec", "replicas")).To(BeEquivalentTo(2))
		scaleTo(t, d, 5)
		g.Expect(applyOne(t, m, d, opts)).To(Equal(ssa.Unchanged))
		// A real change elsewhere is applied without touching replicas.
		d2 := d.DeepCopy()
		_ = unstructured.SetNestedField(d2.Object, []any{map[string]any{
			"name": "web", "image": "nginx:2",
			"ports": []any{map[string]any{"containerPort": int64(80)}},
			"env":   []any{map[string]any{"name": "A", "value": "1"}, map[string]any{"name": "B", "value": "2"}},
		}}, "spec", "template", "spec", "containers")
		g.Expect(applyOne(t, m, d2, opts)).To(Equal(ssa.Configured))
		got := live(t, d2)
		g.Expect(nestedInt64(got.Object, "spec", "replicas")).To(BeEquivalentTo(5))
		scaleTo(t, d, 7)
		g.Expect(applyOne(t, m, d2, opts)).To(Equal(ssa.Unchanged))
		g.Expect(nestedInt64(live(t, d2).Object, "spec", "replicas")).To(BeEquivalentTo(7))
	})

	t.Run("objects the selector does not pick are restored", func(t *testing.T) {
		g := NewWithT(t)
		d := deployment(ns, "unscaled", 2, "nginx:1")
		opts := ssa.ApplyOptions{IgnoreRules: []ssa.IgnoreRule{hpa}}
		g.Expect(applyOne(t, m, d, opts)).To(Equal(ssa.Created))
		scaleTo(t, d, 5)
		g.Expect(applyOne(t, m, d, opts)).To(Equal(ssa.Configured))
		g.Expect(nestedInt64(live(t, d).Object, "spec", "replicas")).To(BeEquivalentTo(2))
	})
}

func TestExclusions(t *testing.T) {
	ns := newNamespace(t, "exclude")
	m := newManager(t, nil)

	t.Run("a disabled desired object is never created", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "disabled", map[string]any{"a": "1"})
		d.SetAnnotations(map[string]string{testOwner.ReconcileKey(): ssa.ReconcileDisabled})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Skipped))
		err := testEnv.Client().Get(t.Context(), client.ObjectKeyFromObject(d), d.DeepCopy())
		g.Expect(err).To(HaveOccurred())
	})

	t.Run("a live object labelled disabled is left alone", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "frozen", map[string]any{"a": "1"})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		cur := live(t, d)
		l := cur.GetLabels()
		l[testOwner.ReconcileKey()] = ssa.ReconcileDisabled
		cur.SetLabels(l)
		g.Expect(testEnv.Client().Update(t.Context(), cur)).To(Succeed())
		d.Object["data"] = map[string]any{"a": "2"}
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Skipped))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1"}))
	})

	t.Run("if not present creates once", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "seed", map[string]any{"a": "1"})
		d.SetAnnotations(map[string]string{testOwner.ApplyPolicyKey(): ssa.IfNotPresent})
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		d.Object["data"] = map[string]any{"a": "2"}
		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Skipped))
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1"}))
	})
}

func TestRequestsPerObject(t *testing.T) {
	g := NewWithT(t)
	const n = 200
	c, counter := countingClient(t)
	m := newManager(t, c, ssa.WithConcurrency(16))
	ns := newNamespace(t, "count")
	set := make([]*unstructured.Unstructured, n)
	for i := range set {
		set[i] = configMap(ns, "cm-"+strconv.Itoa(i), map[string]any{"i": strconv.Itoa(i)})
	}
	measure := func(name string, want ssa.Action, wantCount int, maxPerObject float64) {
		t.Helper()
		counter.reset()
		cs, err := m.ApplyAll(t.Context(), set, ssa.ApplyOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		total, verbs := counter.reset()
		t.Logf("%s: %d requests for %d objects (%.3f/object) %v", name, total, n, float64(total)/n, verbs)
		g.Expect(cs.Count(want)).To(Equal(wantCount), name)
		g.Expect(float64(total)/n).To(BeNumerically("<=", maxPerObject), name)
	}
	measure("create", ssa.Created, n, 1.05)
	measure("no-op", ssa.Unchanged, n, 0.1)
	for i := 0; i < n/10; i++ {
		set[i*10].Object["data"] = map[string]any{"i": "changed"}
	}
	measure("10% changed", ssa.Configured, n/10, 1.2)
	measure("no-op again", ssa.Unchanged, n, 0.1)
}
