package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	crreconcile "sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/runtime/reconcile"
)

func TestJitterStaysInBoundsAndSpreads(t *testing.T) {
	g := NewWithT(t)
	const interval = 10 * time.Minute
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := reconcile.Jitter(interval, 10)
		g.Expect(d).To(BeNumerically(">=", 9*time.Minute))
		g.Expect(d).To(BeNumerically("<=", 11*time.Minute))
		seen[d] = true
	}
	g.Expect(len(seen)).To(BeNumerically(">", 900), "values are spread, not constant")

	g.Expect(reconcile.Jitter(interval, 0)).To(Equal(interval))
	g.Expect(reconcile.Jitter(interval, -5)).To(Equal(interval), "negative percent is clamped to 0")
	g.Expect(reconcile.Jitter(0, 50)).To(BeZero())
	g.Expect(reconcile.Jitter(-time.Second, 50)).To(Equal(-time.Second))
	for range 100 {
		d := reconcile.Jitter(interval, 500)
		g.Expect(d).To(BeNumerically(">=", 0), "percent is clamped to 100")
		g.Expect(d).To(BeNumerically("<=", 2*interval))
	}
}

func TestRequeueAfter(t *testing.T) {
	g := NewWithT(t)
	g.Expect(reconcile.RequeueAfter(0, 10)).To(Equal(ctrl.Result{}))
	g.Expect(reconcile.RequeueAfter(time.Minute, 0)).To(Equal(ctrl.Result{RequeueAfter: time.Minute}))
	r := reconcile.RequeueAfter(time.Minute, 20)
	g.Expect(r.RequeueAfter).To(BeNumerically("~", time.Minute, 12*time.Second))
}

func TestResultFor(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name       string
		err        error
		wantResult ctrl.Result
		wantErr    bool
		terminal   bool
	}{
		{"nil", nil, ctrl.Result{}, false, false},
		{"plain", boom, ctrl.Result{}, true, false},
		{"terminal", reconcile.Terminal(boom), ctrl.Result{}, true, true},
		{"wrapped terminal", fmt.Errorf("fetch: %w", reconcile.Terminal(boom)), ctrl.Result{}, true, true},
		{"controller-runtime terminal", crreconcile.TerminalError(boom), ctrl.Result{}, true, true},
		{"retryable with delay", reconcile.Retryable(boom, 30*time.Second), ctrl.Result{RequeueAfter: 30 * time.Second}, false, false},
		{"wrapped retryable", fmt.Errorf("wait: %w", reconcile.Retryable(boom, time.Second)), ctrl.Result{RequeueAfter: time.Second}, false, false},
		{"retryable without delay", reconcile.Retryable(boom, 0), ctrl.Result{}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			res, err := reconcile.ResultFor(tt.err)
			g.Expect(res).To(Equal(tt.wantResult))
			if tt.wantErr {
				g.Expect(err).To(MatchError(boom))
			} else {
				g.Expect(err).NotTo(HaveOccurred())
			}
			g.Expect(reconcile.IsTerminal(tt.err)).To(Equal(tt.terminal))
		})
	}
}

func TestErrorWrappers(t *testing.T) {
	g := NewWithT(t)
	boom := errors.New("boom")
	g.Expect(reconcile.Terminal(nil)).To(Succeed())
	g.Expect(reconcile.Retryable(nil, time.Second)).To(Succeed())
	g.Expect(reconcile.IsTerminal(nil)).To(BeFalse())

	err := reconcile.Retryable(boom, 30*time.Second)
	g.Expect(err).To(MatchError("retry after 30s: boom"))
	var re *reconcile.RetryableError
	g.Expect(errors.As(err, &re)).To(BeTrue())
	g.Expect(re.After).To(Equal(30 * time.Second))
	g.Expect(errors.Is(err, boom)).To(BeTrue())
	g.Expect(reconcile.Retryable(boom, 0)).To(MatchError("retry: boom"))
	g.Expect(reconcile.Terminal(boom)).To(MatchError(boom))
}

func widget(deleting bool, finalizers ...string) *testapi.Widget {
	w := &testapi.Widget{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "w", Generation: 1, Finalizers: finalizers}}
	if deleting {
		now := metav1.Now()
		w.DeletionTimestamp = &now
	}
	return w
}

const finalizer = "test.sluice.dev/cleanup"

func TestFinalize(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("bucket unreachable")
	calls := 0
	ok := func(context.Context) error { calls++; return nil }
	fail := func(context.Context) error { calls++; return boom }

	t.Run("adds the finalizer", func(t *testing.T) {
		g := NewWithT(t)
		calls = 0
		w := widget(false)
		res, err := reconcile.Finalize(ctx, w, finalizer, fail)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res).To(Equal(reconcile.Continue))
		g.Expect(w.Finalizers).To(ConsistOf(finalizer))
		g.Expect(calls).To(BeZero(), "no cleanup before deletion")
		g.Expect(w.Status.Conditions).To(BeEmpty())
	})
	t.Run("cleanup succeeds", func(t *testing.T) {
		g := NewWithT(t)
		calls = 0
		w := widget(true, finalizer, "other")
		conditions.MarkReconciling(w, meta.ProgressingReason, "x")
		res, err := reconcile.Finalize(ctx, w, finalizer, ok)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res).To(Equal(reconcile.Finalized))
		g.Expect(calls).To(Equal(1))
		g.Expect(w.Finalizers).To(ConsistOf("other"))
		g.Expect(conditions.IsFalse(w, meta.ReadyCondition)).To(BeTrue())
		g.Expect(conditions.GetReason(w, meta.ReadyCondition)).To(Equal(reconcile.FinalizedReason))
		g.Expect(conditions.Has(w, meta.ReconcilingCondition)).To(BeFalse())
	})
	t.Run("cleanup fails", func(t *testing.T) {
		g := NewWithT(t)
		calls = 0
		w := widget(true, finalizer)
		res, err := reconcile.Finalize(ctx, w, finalizer, fail)
		g.Expect(err).To(MatchError(boom))
		g.Expect(err).To(MatchError("finalize ns/w: bucket unreachable"))
		g.Expect(res).To(Equal(reconcile.CleanupFailed))
		g.Expect(w.Finalizers).To(ConsistOf(finalizer))
		g.Expect(conditions.GetReason(w, meta.ReadyCondition)).To(Equal(reconcile.FinalizationFailedReason))
		g.Expect(conditions.GetMessage(w, meta.ReadyCondition)).To(Equal("cleanup failed: bucket unreachable"))
	})
	t.Run("finalizer already gone", func(t *testing.T) {
		g := NewWithT(t)
		calls = 0
		w := widget(true, "other")
		res, err := reconcile.Finalize(ctx, w, finalizer, ok)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res).To(Equal(reconcile.Finalized))
		g.Expect(calls).To(BeZero())
		g.Expect(w.Status.Conditions).To(BeEmpty())
	})
	t.Run("nil cleanup", func(t *testing.T) {
		g := NewWithT(t)
		w := widget(true, finalizer)
		res, err := reconcile.Finalize(ctx, w, finalizer, nil)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res).To(Equal(reconcile.Finalized))
		g.Expect(w.Finalizers).To(BeEmpty())
	})
}

func TestFinalizerResultString(t *testing.T) {
	g := NewWithT(t)
	g.Expect(reconcile.Continue.String()).To(Equal("Continue"))
	g.Expect(reconcile.Finalized.String()).To(Equal("Finalized"))
	g.Expect(reconcile.CleanupFailed.String()).To(Equal("CleanupFailed"))
	g.Expect(reconcile.FinalizerResult(9).String()).To(Equal("FinalizerResult(9)"))
}
