package ssa_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

var (
	lcReconciling = metav1.Condition{Type: "Reconciling", Status: metav1.ConditionTrue, Reason: "Progressing", Message: "rolling out"}
	lcStalled     = metav1.Condition{Type: "Stalled", Status: metav1.ConditionTrue, Reason: "BadConfig", Message: "image name is invalid"}
	lcReady       = metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Done", Message: "ready"}
)

// lcWidget creates a Widget in ns with conds as its status conditions.
func lcWidget(t *testing.T, ns, name string, conds ...metav1.Condition) *unstructured.Unstructured {
	t.Helper()
	lcInstallWidgets(t)
	w := lcCreate(t, lcObject("lifecycle.sluice.dev/v1", "Widget", ns, name, nil))
	if len(conds) > 0 {
		lcSetConditions(t, w, conds...)
	}
	return w
}

// lcSetConditionsLater sets the conditions of w after delay, from another
// goroutine, and closes the returned channel when done; the test must
// receive from it before returning.
func lcSetConditionsLater(t *testing.T, w *unstructured.Unstructured, delay time.Duration, conds ...metav1.Condition) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(delay)
		lcSetConditions(t, w, conds...)
	}()
	return done
}

// TestWaitNoticesReadinessFromTheWatch proves Wait watches: the poll
// interval is a minute, yet the change is seen well within a second.
func TestWaitNoticesReadinessFromTheWatch(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-ready")
	m := lcManager(t, lcOwner)
	cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "settings", nil))
	w1 := lcWidget(t, ns, "one", lcReconciling)
	w2 := lcWidget(t, ns, "two", lcReady)

	done := make(chan error, 1)
	var returned time.Time
	go func() {
		err := m.Wait(t.Context(), []*unstructured.Unstructured{cm, w1, w2}, ssa.WaitOptions{Timeout: time.Minute, Interval: time.Minute})
		returned = time.Now()
		done <- err
	}()
	g.Consistently(done, 700*time.Millisecond).ShouldNot(Receive(), "Wait returned while a widget was reconciling")

	lcSetConditions(t, w1, lcReady)
	updated := time.Now()
	g.Eventually(done, 5*time.Second).Should(Receive(BeNil()))
	// About 100 ms on an idle machine; one second leaves room for a busy one
	// and is still far below the poll interval.
	g.Expect(returned.Sub(updated)).To(BeNumerically("<", time.Second))
}

func TestWaitReturnsAtOnceWhenCurrent(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-current")
	m := lcManager(t, lcOwner)
	cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "settings", nil))
	start := time.Now()
	g.Expect(m.Wait(t.Context(), []*unstructured.Unstructured{cm}, ssa.WaitOptions{})).To(Succeed())
	g.Expect(m.WaitIDs(t.Context(), []ssa.ObjectID{ssa.IDOf(cm)}, ssa.WaitOptions{})).To(Succeed())
	g.Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
	g.Expect(m.Wait(t.Context(), nil, ssa.WaitOptions{})).To(Succeed())
}

func TestWaitFailsFastOnStalled(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-failfast")
	m := lcManager(t, lcOwner)
	stalled := lcWidget(t, ns, "stalled", lcStalled)
	busy := lcWidget(t, ns, "busy", lcReconciling)
	ready := lcWidget(t, ns, "ready")

	start := time.Now()
	err := m.Wait(t.Context(), []*unstructured.Unstructured{busy, ready, stalled}, ssa.WaitOptions{Timeout: time.Minute, FailFast: true})
	g.Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
	g.Expect(err).To(MatchError(ssa.ErrObjectFailed))
	var we *ssa.WaitError
	g.Expect(errors.As(err, &we)).To(BeTrue())
	g.Expect(we.Op).To(Equal("wait"))
	g.Expect(we.Pending).NotTo(BeEmpty())
	g.Expect(we.Pending[0]).To(Equal(ssa.PendingObject{ID: ssa.IDOf(stalled), Status: status.FailedStatus, Message: "image name is invalid"}))
	for _, p := range we.Pending {
		g.Expect(p.ID).NotTo(Equal(ssa.IDOf(ready)), "a ready object is not pending")
	}
	g.Expect(err.Error()).To(ContainSubstring("Widget.lifecycle.sluice.dev/" + ns + "/stalled Failed: image name is invalid"))
}

func TestWaitWithoutFailFastWaitsForRecovery(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-recover")
	m := lcManager(t, lcOwner)
	w := lcWidget(t, ns, "flaky", lcStalled)

	// Failed until the timeout: the error says timeout and names the object.
	err := m.Wait(t.Context(), []*unstructured.Unstructured{w}, ssa.WaitOptions{Timeout: time.Second})
	g.Expect(err).To(MatchError(ssa.ErrWaitTimeout))
	g.Expect(errors.Is(err, ssa.ErrObjectFailed)).To(BeFalse())
	var we *ssa.WaitError
	g.Expect(errors.As(err, &we)).To(BeTrue())
	g.Expect(we.Pending).To(ConsistOf(ssa.PendingObject{ID: ssa.IDOf(w), Status: status.FailedStatus, Message: "image name is invalid"}))

	// A failed object that recovers ends the wait successfully.
	updated := lcSetConditionsLater(t, w, 500*time.Millisecond, lcReady)
	g.Expect(m.Wait(t.Context(), []*unstructured.Unstructured{w}, ssa.WaitOptions{Timeout: 30 * time.Second})).To(Succeed())
	<-updated
}

func TestWaitTimeoutNamesPendingObjects(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-timeout")
	m := lcManager(t, lcOwner)
	busy := lcWidget(t, ns, "busy", lcReconciling)
	missing := lcObject("v1", "ConfigMap", ns, "missing", nil)
	cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "present", nil))

	start := time.Now()
	err := m.Wait(t.Context(), []*unstructured.Unstructured{busy, missing, cm}, ssa.WaitOptions{Timeout: 1500 * time.Millisecond, FailFast: true})
	g.Expect(time.Since(start)).To(BeNumerically("~", 1500*time.Millisecond, time.Second))
	g.Expect(err).To(MatchError(ssa.ErrWaitTimeout))
	g.Expect(errors.Is(err, context.DeadlineExceeded)).To(BeFalse(), "the caller's context did not end")
	var we *ssa.WaitError
	g.Expect(errors.As(err, &we)).To(BeTrue())
	g.Expect(we.Pending).To(Equal([]ssa.PendingObject{
		{ID: ssa.IDOf(busy), Status: status.InProgressStatus, Message: "rolling out"},
		{ID: ssa.IDOf(missing), Status: status.NotFoundStatus, Message: "not found"},
	}))
}

func TestWaitIsCancellable(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-cancel")
	m := lcManager(t, lcOwner)
	busy := lcWidget(t, ns, "busy", lcReconciling)

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	err := m.Wait(ctx, []*unstructured.Unstructured{busy}, ssa.WaitOptions{Timeout: time.Minute})
	g.Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
	g.Expect(err).To(MatchError(context.Canceled))
	g.Expect(errors.Is(err, ssa.ErrWaitTimeout)).To(BeFalse())
	var we *ssa.WaitError
	g.Expect(errors.As(err, &we)).To(BeTrue())
	g.Expect(we.Pending).To(HaveLen(1))

	// A context deadline is the caller's, not the wait's timeout.
	ctx, cancel2 := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel2()
	err = m.WaitIDs(ctx, []ssa.ObjectID{ssa.IDOf(busy)}, ssa.WaitOptions{Timeout: time.Minute})
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
}

// TestWaitPollsWithoutWatchClient uses a client that cannot watch.
func TestWaitPollsWithoutWatchClient(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-poll")
	c, err := client.New(testEnv.Config(), client.Options{Scheme: testEnv.Scheme()})
	g.Expect(err).NotTo(HaveOccurred())
	_, canWatch := c.(client.WithWatch)
	g.Expect(canWatch).To(BeFalse())
	m, err := ssa.New(c, lcOwner)
	g.Expect(err).NotTo(HaveOccurred())
	w := lcWidget(t, ns, "busy", lcReconciling)
	updated := lcSetConditionsLater(t, w, 300*time.Millisecond, lcReady)
	g.Expect(m.Wait(t.Context(), []*unstructured.Unstructured{w}, ssa.WaitOptions{Timeout: 30 * time.Second, Interval: 100 * time.Millisecond})).To(Succeed())
	<-updated
}

// TestWaitForTermination holds a ConfigMap with a finalizer and releases
// it while the wait runs.
func TestWaitForTermination(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-gone")
	m := lcManager(t, lcOwner)
	held := lcObject("v1", "ConfigMap", ns, "held", nil)
	held.SetFinalizers([]string{"lifecycle.sluice.dev/hold"})
	held = lcCreate(t, held)
	t.Cleanup(func() { lcRemoveFinalizers(t, held) })
	plain := lcCreate(t, lcObject("v1", "ConfigMap", ns, "plain", nil))
	absent := lcObject("v1", "ConfigMap", ns, "absent", nil)
	unserved := lcObject("gone.example.com/v1", "Thing", ns, "never", nil)

	cs, err := m.Delete(t.Context(), []*unstructured.Unstructured{held, plain}, ssa.DeleteOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Count(ssa.Deleted)).To(Equal(2))

	// The finalizer holds the object: the wait times out naming it.
	err = m.WaitForTermination(t.Context(), []*unstructured.Unstructured{held, plain, absent}, ssa.WaitOptions{Timeout: time.Second})
	g.Expect(err).To(MatchError(ssa.ErrWaitTimeout))
	var we *ssa.WaitError
	g.Expect(errors.As(err, &we)).To(BeTrue())
	g.Expect(we.Op).To(Equal("wait for termination"))
	g.Expect(we.Pending).To(HaveLen(1))
	g.Expect(we.Pending[0].ID).To(Equal(ssa.IDOf(held)))
	g.Expect(we.Pending[0].Status).To(Equal(status.TerminatingStatus))

	// Removing the finalizer ends the wait promptly.
	done := make(chan error, 1)
	go func() {
		done <- m.WaitForTerminationIDs(t.Context(), []ssa.ObjectID{ssa.IDOf(held), ssa.IDOf(plain), ssa.IDOf(unserved)}, ssa.WaitOptions{Timeout: time.Minute, Interval: time.Minute})
	}()
	g.Consistently(done, 500*time.Millisecond).ShouldNot(Receive())
	lcRemoveFinalizers(t, held)
	g.Eventually(done, 5*time.Second).Should(Receive(BeNil()))
	_, found := lcGet(t, held)
	g.Expect(found).To(BeFalse())
}

// TestWaitForTerminationRecreated shows an object deleted and created
// again under its name (as an owner does) counts as terminated when the
// wait knows its UID, and as present when it only knows the name.
func TestWaitForTerminationRecreated(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "wait-recreated")
	m := lcManager(t, lcOwner)

	// Held by a finalizer, the old object is still there when the wait
	// starts; a new one takes its name once the finalizer goes.
	old := lcObject("v1", "ConfigMap", ns, "settings", nil)
	old.SetFinalizers([]string{"lifecycle.sluice.dev/hold"})
	old = lcCreate(t, old)
	_, err := m.Delete(t.Context(), []*unstructured.Unstructured{old}, ssa.DeleteOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	done := make(chan error, 1)
	go func() {
		done <- m.WaitForTermination(t.Context(), []*unstructured.Unstructured{old}, ssa.WaitOptions{Timeout: time.Minute, Interval: time.Minute})
	}()
	g.Consistently(done, 300*time.Millisecond).ShouldNot(Receive())
	lcRemoveFinalizers(t, old)
	g.Eventually(done, 5*time.Second).Should(Receive(BeNil()))

	recreated := lcCreate(t, lcObject("v1", "ConfigMap", ns, "settings", nil))
	g.Expect(recreated.GetUID()).NotTo(Equal(old.GetUID()))

	// Started after the new object exists: the old UID is gone.
	g.Expect(m.WaitForTermination(t.Context(), []*unstructured.Unstructured{old}, ssa.WaitOptions{Timeout: 5 * time.Second})).To(Succeed())

	// By name only, or by the new object's UID, something is still there.
	err = m.WaitForTerminationIDs(t.Context(), []ssa.ObjectID{ssa.IDOf(old)}, ssa.WaitOptions{Timeout: 500 * time.Millisecond})
	g.Expect(err).To(MatchError(ssa.ErrWaitTimeout))
	err = m.WaitForTermination(t.Context(), []*unstructured.Unstructured{recreated}, ssa.WaitOptions{Timeout: 500 * time.Millisecond})
	g.Expect(err).To(MatchError(ssa.ErrWaitTimeout))
}

func ExamplePendingObject_String() {
	p := ssa.PendingObject{
		ID:      ssa.ObjectID{Group: "apps", Kind: "Deployment", Namespace: "web", Name: "frontend"},
		Status:  status.InProgressStatus,
		Message: "Available: 1/3",
	}
	fmt.Println(p)
	// Output: Deployment.apps/web/frontend InProgress: Available: 1/3
}
