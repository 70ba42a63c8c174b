package testapi_test

import (
	"os"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/testenv"
)

// Widget is what the conditions, patch and reconcile helpers work with.
var _ meta.ObjectWithConditionsSetter = &testapi.Widget{}

func TestAddToScheme(t *testing.T) {
	g := NewWithT(t)
	s := runtime.NewScheme()
	g.Expect(testapi.AddToScheme(s)).To(Succeed())

	gv := testapi.GroupVersion()
	g.Expect(gv.String()).To(Equal("test.sluice.dev/v1alpha1"))
	for kind, obj := range map[string]runtime.Object{"Widget": &testapi.Widget{}, "WidgetList": &testapi.WidgetList{}} {
		gvks, _, err := s.ObjectKinds(obj)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(gvks).To(ConsistOf(gv.WithKind(kind)))
		created, err := s.New(gv.WithKind(kind))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(created).To(BeAssignableToTypeOf(obj))
	}
	// The group's meta types (ListOptions, ...) come with it.
	g.Expect(s.Recognizes(gv.WithKind("ListOptions"))).To(BeTrue())
}

func TestDeepCopy(t *testing.T) {
	g := NewWithT(t)
	in := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "web", Finalizers: []string{"test.sluice.dev/cleanup"}},
		Spec:       testapi.WidgetSpec{Value: "v1", FailCleanup: true},
		Status: testapi.WidgetStatus{ObservedGeneration: 1, Value: "v1", Conditions: []metav1.Condition{
			{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.SucceededReason},
		}},
	}
	out := in.DeepCopy()
	g.Expect(out).To(Equal(in))
	out.Status.Conditions[0].Status = metav1.ConditionFalse
	out.Finalizers[0] = "other"
	g.Expect(in.Status.Conditions[0].Status).To(Equal(metav1.ConditionTrue))
	g.Expect(in.Finalizers).To(Equal([]string{"test.sluice.dev/cleanup"}))

	list := &testapi.WidgetList{Items: []testapi.Widget{*in}}
	listCopy, ok := list.DeepCopyObject().(*testapi.WidgetList)
	g.Expect(ok).To(BeTrue())
	listCopy.Items[0].Spec.Value = "v2"
	g.Expect(list.Items[0].Spec.Value).To(Equal("v1"))

	var nilWidget *testapi.Widget
	g.Expect(nilWidget.DeepCopy()).To(BeNil())
}

func TestConditionsAccessors(t *testing.T) {
	g := NewWithT(t)
	w := &testapi.Widget{}
	g.Expect(w.GetConditions()).To(BeEmpty())
	conds := []metav1.Condition{{Type: meta.ReconcilingCondition, Status: metav1.ConditionTrue, Reason: meta.ProgressingReason}}
	w.SetConditions(conds)
	g.Expect(w.Status.Conditions).To(Equal(conds))
	g.Expect(w.GetConditions()).To(Equal(conds))
	w.SetConditions(nil)
	g.Expect(w.GetConditions()).To(BeNil())
}

// TestCRDMatchesTypes reads the committed CRD the way testenv installs it
// and checks that it serves the types of this package: group, version,
// kinds, the status subresource, and the schema of the fields the tests
// use.
func TestCRDMatchesTypes(t *testing.T) {
	g := NewWithT(t)
	crds, err := testenv.ReadCRDs(os.DirFS("testdata/crd"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(crds).To(HaveLen(1))
	crd := crds[0]

	g.Expect(crd.Name).To(Equal("widgets." + testapi.Group))
	g.Expect(crd.Spec.Group).To(Equal(testapi.Group))
	g.Expect(crd.Spec.Scope).To(BeEquivalentTo("Namespaced"))
	g.Expect(crd.Spec.Names.Kind).To(Equal("Widget"))
	g.Expect(crd.Spec.Names.ListKind).To(Equal("WidgetList"))
	g.Expect(crd.Spec.Versions).To(HaveLen(1))
	v := crd.Spec.Versions[0]
	g.Expect(v.Name).To(Equal(testapi.Version))
	g.Expect(v.Served).To(BeTrue())
	g.Expect(v.Storage).To(BeTrue())
	g.Expect(v.Subresources).NotTo(BeNil())
	g.Expect(v.Subresources.Status).NotTo(BeNil(), "the patch helper writes status through the status subresource")

	root := v.Schema.OpenAPIV3Schema.Properties
	spec := root["spec"].Properties
	g.Expect(spec).To(HaveKey("value"))
	g.Expect(spec["value"].MaxLength).To(HaveValue(BeEquivalentTo(1024)))
	g.Expect(spec).To(HaveKey("failCleanup"))
	status := root["status"].Properties
	g.Expect(status).To(HaveKey("observedGeneration"))
	g.Expect(status).To(HaveKey("value"))
	conds := status["conditions"]
	g.Expect(conds.XListType).To(HaveValue(Equal("map")), "conditions merge by type")
	g.Expect(conds.XListMapKeys).To(Equal([]string{"type"}))
}
