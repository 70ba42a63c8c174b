package ssa_test

import (
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

// widgetCRD returns a namespaced CRD of kind Widget in group, serving the
// given versions (the last one is stored), each with spec.size and the
// extra spec fields.
func widgetCRD(group string, versions []string, extra ...string) *unstructured.Unstructured {
	props := map[string]any{"size": map[string]any{"type": "integer"}}
	for _, f := range extra {
		props[f] = map[string]any{"type": "string"}
	}
	var vs []any
	for i, v := range versions {
		vs = append(vs, map[string]any{
			"name": v, "served": true, "storage": i == len(versions)-1,
			"schema": map[string]any{"openAPIV3Schema": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"spec": map[string]any{"type": "object", "properties": props},
				},
			}},
		})
	}
	crd := obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets."+group)
	crd.Object["spec"] = map[string]any{
		"group":    group,
		"scope":    "Namespaced",
		"names":    map[string]any{"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget"},
		"versions": vs,
	}
	return crd
}

func widget(group, version, ns, name string, size int64) *unstructured.Unstructured {
	w := obj(group+"/"+version, "Widget", ns, name)
	w.Object["spec"] = map[string]any{"size": size}
	return w
}

func TestStagedApplyOfCRDNamespaceAndCustomResources(t *testing.T) {
	g := NewWithT(t)
	const group = "staged.test.sluice.dev"
	m := newManager(t, nil)
	ns := obj("v1", "Namespace", "", "staged-apply")
	set := []*unstructured.Unstructured{
		widget(group, "v1", "staged-apply", "w2", 2),
		configMap("staged-apply", "cfg", map[string]any{"k": "v"}),
		widget(group, "v1", "staged-apply", "w1", 1),
		ns,
		widgetCRD(group, []string{"v1"}),
	}
	cs, err := m.ApplyAll(t.Context(), set, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.String()).To(Equal(`CustomResourceDefinition.apiextensions.k8s.io/widgets.staged.test.sluice.dev created
Namespace/staged-apply created
ConfigMap/staged-apply/cfg created
Widget.staged.test.sluice.dev/staged-apply/w1 created
Widget.staged.test.sluice.dev/staged-apply/w2 created`))
	g.Expect(live(t, set[0]).Object["spec"]).To(Equal(map[string]any{"size": int64(2)}))

	cs, err = m.ApplyAll(t.Context(), set, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Count(ssa.Unchanged)).To(Equal(5), cs.String())
}

func TestCRDVersionBumpMigratesManagedFields(t *testing.T) {
	g := NewWithT(t)
	const group = "bump.test.sluice.dev"
	m := newManager(t, nil)
	ns := newNamespace(t, "bump")
	_, err := m.ApplyAll(t.Context(), []*unstructured.Unstructured{
		widgetCRD(group, []string{"v1"}, "color"),
	}, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	w1 := widget(group, "v1", ns, "w", 1)
	w1.Object["spec"].(map[string]any)["color"] = "red"
	g.Expect(applyOne(t, m, w1, ssa.ApplyOptions{})).To(Equal(ssa.Created))

	// v2 drops spec.color and becomes the stored version; v1 is no longer
	// served, so managedFields recorded for v1 name a version the server
	// no longer knows.
	crd := widgetCRD(group, []string{"v1", "v2"})
	versions := crd.Object["spec"].(map[string]any)["versions"].([]any)
	versions[0].(map[string]any)["served"] = false
	_, err = m.ApplyAll(t.Context(), []*unstructured.Unstructured{crd}, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())

	w2 := widget(group, "v2", ns, "w", 3)
	g.Expect(applyOne(t, m, w2, ssa.ApplyOptions{})).To(Equal(ssa.Configured))
	got := live(t, w2)
	g.Expect(got.Object["spec"]).To(Equal(map[string]any{"size": int64(3)}))
	for _, e := range got.GetManagedFields() {
		if e.Manager == testOwner.Field {
			g.Expect(e.APIVersion).To(Equal(group + "/v2"))
			g.Expect(e.Operation).To(Equal(metav1.ManagedFieldsOperationApply))
		}
	}
	g.Expect(applyOne(t, m, w2, ssa.ApplyOptions{})).To(Equal(ssa.Unchanged))
}

// lagMapper is a RESTMapper that does not know one version of one kind for
// its first misses calls, as discovery lags right after a CRD changes.
type lagMapper struct {
	apimeta.RESTMapper
	gk      schema.GroupKind
	version string
	misses  int
	calls   atomic.Int32
}

func (l *lagMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*apimeta.RESTMapping, error) {
	if gk == l.gk && slices.Contains(versions, l.version) && int(l.calls.Add(1)) <= l.misses {
		return nil, &apimeta.NoKindMatchError{GroupKind: gk, SearchedVersions: versions}
	}
	return l.RESTMapper.RESTMapping(gk, versions...)
}

// lagClient is the test client with a lagging RESTMapper.
type lagClient struct {
	client.Client
	mapper apimeta.RESTMapper
}

func (c lagClient) RESTMapper() apimeta.RESTMapper { return c.mapper }

// TestCRDChangeWaitsForServedVersions shows ApplyAll returns after a CRD
// change only once the client maps every version the CRD serves, and
// fails naming the versions when they never show up.
func TestCRDChangeWaitsForServedVersions(t *testing.T) {
	g := NewWithT(t)
	const group = "lag.test.sluice.dev"
	c := testEnv.Client()
	gk := schema.GroupKind{Group: group, Kind: "Widget"}

	lag := &lagMapper{RESTMapper: c.RESTMapper(), gk: gk, version: "v2", misses: 3}
	m := newManager(t, lagClient{Client: c, mapper: lag})
	_, err := m.ApplyAll(t.Context(), []*unstructured.Unstructured{widgetCRD(group, []string{"v1"})}, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(lag.calls.Load()).To(BeZero(), "v2 is not served yet")

	cs, err := m.ApplyAll(t.Context(), []*unstructured.Unstructured{widgetCRD(group, []string{"v1", "v2"})}, ssa.ApplyOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Count(ssa.Configured)).To(Equal(1), cs.String())
	g.Expect(lag.calls.Load()).To(BeNumerically(">", 3), "ApplyAll returned before v2 was mapped")

	// A version that never shows up: the wait ends at WaitTimeout.
	never := &lagMapper{RESTMapper: c.RESTMapper(), gk: gk, version: "v3", misses: math.MaxInt32}
	m = newManager(t, lagClient{Client: c, mapper: never})
	_, err = m.ApplyAll(t.Context(), []*unstructured.Unstructured{widgetCRD(group, []string{"v1", "v2", "v3"})},
		ssa.ApplyOptions{WaitTimeout: 500 * time.Millisecond})
	g.Expect(err).To(MatchError(ContainSubstring("wait for versions [v1 v2 v3] of Widget.lag.test.sluice.dev to be served")))
	g.Expect(err).To(MatchError(ContainSubstring("no matches for kind")))
}
