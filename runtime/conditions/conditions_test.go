package conditions_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
)

func widget(gen int64, conds ...metav1.Condition) *testapi.Widget {
	w := &testapi.Widget{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "w", Generation: gen}}
	w.Status.Conditions = conds
	return w
}

func cond(t string, s metav1.ConditionStatus, reason string) metav1.Condition {
	return metav1.Condition{Type: t, Status: s, Reason: reason, Message: t + " is " + string(s)}
}

func TestGetters(t *testing.T) {
	g := NewWithT(t)
	c := cond(meta.ReadyCondition, metav1.ConditionFalse, meta.FailedReason)
	c.ObservedGeneration = 3
	w := widget(3, c, cond("A", metav1.ConditionTrue, "X"), cond("B", metav1.ConditionUnknown, "Y"))

	got := conditions.Get(w, meta.ReadyCondition)
	g.Expect(got).To(Equal(&c))
	got.Reason = "Changed"
	g.Expect(w.Status.Conditions[0].Reason).To(Equal(meta.FailedReason), "Get returns a copy")
	g.Expect(conditions.Get(w, "Missing")).To(BeNil())

	g.Expect(conditions.Has(w, "A")).To(BeTrue())
	g.Expect(conditions.Has(w, "Missing")).To(BeFalse())
	g.Expect(conditions.IsTrue(w, "A")).To(BeTrue())
	g.Expect(conditions.IsFalse(w, "A")).To(BeFalse())
	g.Expect(conditions.IsFalse(w, meta.ReadyCondition)).To(BeTrue())
	g.Expect(conditions.IsUnknown(w, "B")).To(BeTrue())
	g.Expect(conditions.IsUnknown(w, "Missing")).To(BeTrue())
	g.Expect(conditions.IsUnknown(w, "A")).To(BeFalse())
	g.Expect(conditions.IsTrue(w, "Missing")).To(BeFalse())
	g.Expect(conditions.GetReason(w, meta.ReadyCondition)).To(Equal(meta.FailedReason))
	g.Expect(conditions.GetMessage(w, "A")).To(Equal("A is True"))
	g.Expect(conditions.GetObservedGeneration(w, meta.ReadyCondition)).To(Equal(int64(3)))
	g.Expect(conditions.GetReason(w, "Missing")).To(BeEmpty())
	g.Expect(conditions.GetMessage(w, "Missing")).To(BeEmpty())
	g.Expect(conditions.GetObservedGeneration(w, "Missing")).To(BeZero())
}

func TestSetTransitionTimeAndGeneration(t *testing.T) {
	g := NewWithT(t)
	w := widget(4)
	old := metav1.NewTime(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))

	conditions.Set(w, metav1.Condition{Type: "A", Status: metav1.ConditionFalse, Reason: "R1", LastTransitionTime: old, ObservedGeneration: 99})
	c := conditions.Get(w, "A")
	g.Expect(c.LastTransitionTime).To(Equal(old), "an explicit time on a new condition is kept")
	g.Expect(c.ObservedGeneration).To(Equal(int64(4)), "generation comes from the object")

	w.Generation = 5
	conditions.MarkFalse(w, "A", "R2", "still %s", "failing")
	c = conditions.Get(w, "A")
	g.Expect(c.LastTransitionTime).To(Equal(old), "same status keeps the transition time")
	g.Expect(c.Reason).To(Equal("R2"))
	g.Expect(c.Message).To(Equal("still failing"))
	g.Expect(c.ObservedGeneration).To(Equal(int64(5)))

	before := time.Now().Add(-time.Second)
	conditions.MarkTrue(w, "A", "R3", "100% done")
	c = conditions.Get(w, "A")
	g.Expect(c.LastTransitionTime.Time).To(BeTemporally(">", before), "a status change moves the transition time")
	g.Expect(c.Message).To(Equal("100% done"), "no args: the message is verbatim")

	conditions.MarkUnknown(w, "B", "R4", "")
	g.Expect(w.Status.Conditions).To(HaveLen(2))
	g.Expect(w.Status.Conditions[1].Type).To(Equal("B"), "new types are appended")
	g.Expect(w.Status.Conditions[1].LastTransitionTime.IsZero()).To(BeFalse())
}

func TestSetDoesNotAliasTheOldSlice(t *testing.T) {
	g := NewWithT(t)
	w := widget(1, cond("A", metav1.ConditionTrue, "R"))
	before := w.GetConditions()
	conditions.MarkFalse(w, "A", "R", "")
	g.Expect(before[0].Status).To(Equal(metav1.ConditionTrue))
}

func TestReconcilingAndStalledExcludeEachOther(t *testing.T) {
	g := NewWithT(t)
	w := widget(1)
	conditions.MarkReconciling(w, meta.ProgressingReason, "working on %d", 1)
	g.Expect(conditions.IsTrue(w, meta.ReconcilingCondition)).To(BeTrue())
	g.Expect(conditions.Has(w, meta.StalledCondition)).To(BeFalse())

	conditions.MarkStalled(w, meta.InvalidConfigReason, "bad")
	g.Expect(conditions.IsTrue(w, meta.StalledCondition)).To(BeTrue())
	g.Expect(conditions.Has(w, meta.ReconcilingCondition)).To(BeFalse())

	conditions.MarkReconciling(w, meta.ProgressingReason, "again")
	g.Expect(conditions.Has(w, meta.StalledCondition)).To(BeFalse())
	g.Expect(conditions.GetMessage(w, meta.ReconcilingCondition)).To(Equal("again"))
}

func TestDelete(t *testing.T) {
	g := NewWithT(t)
	w := widget(1, cond("A", metav1.ConditionTrue, "R"), cond("B", metav1.ConditionTrue, "R"))
	conditions.Delete(w, "Missing")
	g.Expect(w.Status.Conditions).To(HaveLen(2))
	conditions.Delete(w, "A")
	g.Expect(w.Status.Conditions).To(HaveLen(1))
	g.Expect(w.Status.Conditions[0].Type).To(Equal("B"))
}

func TestMirror(t *testing.T) {
	g := NewWithT(t)
	dep := widget(7, cond(meta.ReadyCondition, metav1.ConditionFalse, meta.FailedReason))
	w := widget(2)
	conditions.Mirror(w, "DependencyReady", dep, meta.ReadyCondition)
	c := conditions.Get(w, "DependencyReady")
	g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
	g.Expect(c.Reason).To(Equal(meta.FailedReason))
	g.Expect(c.Message).To(Equal("Ready is False"))
	g.Expect(c.ObservedGeneration).To(Equal(int64(2)), "the observer's generation")

	conditions.Mirror(w, "DependencyReady", widget(1), meta.ReadyCondition)
	c = conditions.Get(w, "DependencyReady")
	g.Expect(c.Status).To(Equal(metav1.ConditionUnknown))
	g.Expect(c.Reason).To(Equal(conditions.MissingReason))
	g.Expect(c.Message).To(Equal("ns/w has no Ready condition"))
}
