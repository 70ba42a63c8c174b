package applier

import (
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/version"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
)

// syncWithReady returns a Sync of generation gen whose Ready condition has
// status and was observed at observed.
func syncWithReady(gen int64, status metav1.ConditionStatus, observed int64) *applyv1.Sync {
	s := &applyv1.Sync{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "base", Generation: gen}}
	s.Status.ObservedGeneration = observed
	if status != "" {
		s.Status.Conditions = []metav1.Condition{{
			Type: meta.ReadyCondition, Status: status, ObservedGeneration: observed,
			Reason: meta.ReconciliationSucceededReason, Message: "applied",
		}}
	}
	return s
}

func TestBecameReady(t *testing.T) {
	p := becameReady()
	for _, tc := range []struct {
		name     string
		old, new *applyv1.Sync
		want     bool
	}{
		{"no condition to ready", syncWithReady(1, "", 0), syncWithReady(1, metav1.ConditionTrue, 1), true},
		{"false to ready", syncWithReady(1, metav1.ConditionFalse, 1), syncWithReady(1, metav1.ConditionTrue, 1), true},
		{"ready for an older generation to ready", syncWithReady(2, metav1.ConditionTrue, 1), syncWithReady(2, metav1.ConditionTrue, 2), true},
		{"ready stays ready", syncWithReady(1, metav1.ConditionTrue, 1), syncWithReady(1, metav1.ConditionTrue, 1), false},
		{"ready to false", syncWithReady(1, metav1.ConditionTrue, 1), syncWithReady(1, metav1.ConditionFalse, 1), false},
		{"unknown to false", syncWithReady(1, metav1.ConditionUnknown, 1), syncWithReady(1, metav1.ConditionFalse, 1), false},
		{"spec change of a ready sync", syncWithReady(1, metav1.ConditionTrue, 1), syncWithReady(2, metav1.ConditionTrue, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(p.Update(event.UpdateEvent{ObjectOld: tc.old, ObjectNew: tc.new})).To(Equal(tc.want))
		})
	}
	g := NewWithT(t)
	ready := syncWithReady(1, metav1.ConditionTrue, 1)
	g.Expect(p.Create(event.CreateEvent{Object: ready})).To(BeFalse())
	g.Expect(p.Delete(event.DeleteEvent{Object: ready})).To(BeFalse())
	g.Expect(p.Generic(event.GenericEvent{Object: ready})).To(BeFalse())
}

func TestReadyChanged(t *testing.T) {
	g := NewWithT(t)
	base := metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: applyv1.BuildFailedReason, Message: "no path"}
	with := func(f func(*metav1.Condition)) *metav1.Condition {
		c := base
		f(&c)
		return &c
	}
	g.Expect(readyChanged(&base, with(func(*metav1.Condition) {}))).To(BeFalse())
	g.Expect(readyChanged(&base, with(func(c *metav1.Condition) { c.LastTransitionTime = metav1.Now(); c.ObservedGeneration = 3 }))).To(BeFalse())
	g.Expect(readyChanged(&base, with(func(c *metav1.Condition) { c.Status = metav1.ConditionUnknown }))).To(BeTrue())
	g.Expect(readyChanged(&base, with(func(c *metav1.Condition) { c.Reason = meta.ReconciliationFailedReason }))).To(BeTrue())
	g.Expect(readyChanged(&base, with(func(c *metav1.Condition) { c.Message = "other" }))).To(BeTrue())
	g.Expect(readyChanged(nil, &base)).To(BeTrue())
	g.Expect(readyChanged(&base, nil)).To(BeTrue())
	g.Expect(readyChanged(nil, nil)).To(BeFalse())
}

func TestWorkDirErrorHidesFolder(t *testing.T) {
	g := NewWithT(t)
	cause := &version.DigestMismatchError{Expected: "sha256:aa", Actual: "sha256:bb"}
	err := &workDirError{dir: "/tmp/sync-123", err: fmt.Errorf("extract to /tmp/sync-123/artifact: %w", cause)}
	g.Expect(err.Error()).To(HavePrefix("extract to <work dir>/artifact: "))
	g.Expect(err.Error()).NotTo(ContainSubstring("/tmp/sync-123"))
	g.Expect(isDigestMismatch(err)).To(BeTrue())
}
