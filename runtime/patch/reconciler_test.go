package patch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/reconcile"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

const widgetFinalizer = "test.sluice.dev/cleanup"

var widgetSummary = conditions.SummaryOptions{Conditions: []string{meta.ArtifactInStorageCondition}}

// reconcileRecord is what one Reconcile call did.
type reconcileRecord struct {
	statusWrites  int
	statusChanged bool
	err           error
	// ready and reconciling are the Ready status and whether Reconciling
	// was True when the reconcile ended.
	ready       metav1.ConditionStatus
	reconciling bool
	// kstatus is what cli-utils computes for the status the reconcile
	// wrote, and kstatusErr what CheckKstatus says about it.
	kstatus    status.Status
	kstatusErr error
	// deleting is whether the object had a deletionTimestamp.
	deleting bool
}

// widgetReconciler is the way a Sluice controller is meant to be written:
// read, snapshot, finalizer step, mark Reconciling when a new generation
// starts, do the work, summarise, and patch once.
type widgetReconciler struct {
	client client.Client
	reader client.Reader
	count  *counter

	mu      sync.Mutex
	records []reconcileRecord
}

func (r *widgetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	w := &testapi.Widget{}
	// The API reader, not the cache: a stale cached copy would make the
	// status write conflict and retry, and this test counts writes.
	if err := r.reader.Get(ctx, req.NamespacedName, w); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before, _ := r.count.counts()
	startStatus := w.Status.DeepCopy()
	res, err := r.reconcile(ctx, w)
	after, _ := r.count.counts()
	r.mu.Lock()
	r.records = append(r.records, reconcileRecord{
		statusWrites:  after - before,
		statusChanged: !equality.Semantic.DeepEqual(startStatus, &w.Status),
		err:           err,
		reconciling:   conditions.IsTrue(w, meta.ReconcilingCondition),
		deleting:      w.DeletionTimestamp != nil,
	})
	rec := &r.records[len(r.records)-1]
	if c := conditions.Get(w, meta.ReadyCondition); c != nil {
		rec.ready = c.Status
	}
	rec.kstatusErr = conditions.CheckKstatus(w)
	rec.kstatus, rec.err = kstatusOf(w)
	if err != nil {
		rec.err = err
	}
	r.mu.Unlock()
	return res, err
}

func (r *widgetReconciler) reconcile(ctx context.Context, w *testapi.Widget) (ctrl.Result, error) {
	h, err := patch.NewHelper(w, r.client)
	if err != nil {
		return ctrl.Result{}, err
	}
	owned := patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition,
		meta.StalledCondition, meta.ArtifactInStorageCondition)

	step, err := reconcile.Finalize(ctx, w, widgetFinalizer, func(context.Context) error {
		if w.Spec.FailCleanup {
			return errors.New("cleanup refused")
		}
		return nil
	})
	if step != reconcile.Continue {
		return reconcile.ResultFor(errors.Join(err, h.Patch(ctx, w, owned)))
	}

	if w.Status.ObservedGeneration != w.Generation && !conditions.IsTrue(w, meta.ReconcilingCondition) {
		// A new generation: tell watchers we are on it, in one write.
		conditions.MarkReconciling(w, meta.ProgressingReason, "reconciling generation %d", w.Generation)
		conditions.SetSummary(w, widgetSummary)
		return reconcile.ResultFor(h.Patch(ctx, w, owned))
	}

	// The work: publish spec.value as the "artifact".
	w.Status.Value = w.Spec.Value
	conditions.MarkTrue(w, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored %q", w.Spec.Value)
	conditions.Delete(w, meta.ReconcilingCondition)
	conditions.SetSummary(w, widgetSummary)
	if err := h.Patch(ctx, w, owned, patch.WithStatusObservedGeneration()); err != nil {
		return reconcile.ResultFor(err)
	}
	return reconcile.RequeueAfter(time.Hour, 10), nil
}

func (r *widgetReconciler) snapshot() []reconcileRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]reconcileRecord(nil), r.records...)
}

// kstatusOf computes cli-utils' kstatus of w.
func kstatusOf(w *testapi.Widget) (status.Status, error) {
	w = w.DeepCopy()
	w.APIVersion, w.Kind = testapi.GroupVersion().String(), "Widget"
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(w)
	if err != nil {
		return "", err
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: m})
	if err != nil {
		return "", err
	}
	return res.Status, nil
}

// startWidgetController starts a manager limited to a new namespace
// (other tests leave Widgets behind) running widgetReconciler, stopped when
// the test ends.
func startWidgetController(t *testing.T) (string, *widgetReconciler) {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, "reconciler")
	g.Expect(err).NotTo(HaveOccurred())
	cfg, count := countingConfig()
	skip := true
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:     env.Scheme(),
		Cache:      cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}},
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: &skip},
	})
	g.Expect(err).NotTo(HaveOccurred())
	r := &widgetReconciler{client: mgr.GetClient(), reader: mgr.GetAPIReader(), count: count}
	g.Expect(ctrl.NewControllerManagedBy(mgr).For(&testapi.Widget{}).Named("widget").Complete(r)).To(Succeed())
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	return ns, r
}

// TestReconcilerWritesStatusOncePerReconcile runs widgetReconciler in a
// real manager against the real API server and checks the issue's
// acceptance criteria: Reconciling, then Ready, with one status write per
// reconcile that changes the status (and none otherwise), a final status
// that follows kstatus, and cli-utils computing Current.
func TestReconcilerWritesStatusOncePerReconcile(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, r := startWidgetController(t)
	w := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "w"},
		Spec:       testapi.WidgetSpec{Value: "v1"},
	}

	g.Expect(env.Client().Create(ctx, w)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(get(t, w)).To(matchers.BeReady().ForCurrentGeneration())
	}).WithTimeout(30 * time.Second).Should(Succeed())

	checkFinal := func(generation int64, value string) {
		t.Helper()
		got := get(t, w)
		g.Expect(got.Generation).To(Equal(generation))
		g.Expect(got.Status.ObservedGeneration).To(Equal(generation))
		g.Expect(got.Status.Value).To(Equal(value))
		g.Expect(got.Finalizers).To(ConsistOf(widgetFinalizer))
		g.Expect(got).To(matchers.BeReady().WithReason(meta.SucceededReason).WithMessage(value).ForCurrentGeneration())
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
		g.Expect(kstatusOf(got)).To(Equal(status.CurrentStatus))
	}
	checkFinal(1, "v1")

	// Every reconcile so far: exactly one status write when it changed the
	// status, none otherwise; the changing ones went Reconciling (Ready
	// Unknown), then Ready.
	type outcome struct {
		ready       metav1.ConditionStatus
		reconciling bool
		kstatus     status.Status
	}
	progress := outcome{metav1.ConditionUnknown, true, status.InProgressStatus}
	ready := outcome{metav1.ConditionTrue, false, status.CurrentStatus}
	checkRecords := func(want ...outcome) {
		t.Helper()
		g.Eventually(func(g Gomega) {
			var changing []outcome
			for i, rec := range r.snapshot() {
				g.Expect(rec.err).NotTo(HaveOccurred())
				writes := 0
				if rec.statusChanged {
					writes = 1
					changing = append(changing, outcome{rec.ready, rec.reconciling, rec.kstatus})
					if rec.kstatus != status.TerminatingStatus {
						g.Expect(rec.kstatusErr).NotTo(HaveOccurred(), "reconcile %d", i)
					}
				}
				g.Expect(rec.statusWrites).To(Equal(writes), "reconcile %d", i)
			}
			g.Expect(changing).To(Equal(want))
		}).WithTimeout(10 * time.Second).Should(Succeed())
	}
	checkRecords(progress, ready)

	// A spec change: a new generation goes through Reconciling to Ready again.
	latest := get(t, w)
	latest.Spec.Value = "v2"
	g.Expect(env.Client().Update(ctx, latest)).To(Succeed())
	g.Eventually(func(g Gomega) {
		got := get(t, w)
		g.Expect(got.Status.Value).To(Equal("v2"))
		g.Expect(got).To(matchers.BeReady().ForCurrentGeneration())
	}).WithTimeout(30 * time.Second).Should(Succeed())
	checkFinal(2, "v2")
	checkRecords(progress, ready, progress, ready)

	// Deletion: the finalizer step cleans up and the object goes away, with
	// one status write (Ready False, Finalized) before the finalizer is
	// removed.
	g.Expect(env.DeleteAndWait(ctx, get(t, w))).To(Succeed())
	checkRecords(progress, ready, progress, ready, outcome{metav1.ConditionFalse, false, status.TerminatingStatus})
}

// TestReconcilerCleanupFailureKeepsTheObject deletes a Widget whose cleanup
// fails: the finalizer stays, Ready says why in one status write, retries
// that change nothing write nothing, and the object goes once the cleanup
// succeeds.
func TestReconcilerCleanupFailureKeepsTheObject(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, r := startWidgetController(t)
	w := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "stubborn"},
		Spec:       testapi.WidgetSpec{Value: "v1", FailCleanup: true},
	}
	g.Expect(env.Client().Create(ctx, w)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(get(t, w)).To(matchers.BeReady().ForCurrentGeneration())
	}).WithTimeout(30 * time.Second).Should(Succeed())

	g.Expect(env.Client().Delete(ctx, w)).To(Succeed())
	g.Eventually(func(g Gomega) {
		got := get(t, w)
		g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
			WithReason(reconcile.FinalizationFailedReason).WithMessage("cleanup refused"))
		g.Expect(got.Finalizers).To(ConsistOf(widgetFinalizer))
	}).WithTimeout(30 * time.Second).Should(Succeed())

	// The controller retries with backoff; wait for at least one retry.
	deletingRecords := func() []reconcileRecord {
		var out []reconcileRecord
		for _, rec := range r.snapshot() {
			if rec.deleting {
				out = append(out, rec)
			}
		}
		return out
	}
	g.Eventually(func() int { return len(deletingRecords()) }).WithTimeout(30 * time.Second).Should(BeNumerically(">=", 2))
	failedWrites := 0
	for i, rec := range deletingRecords() {
		g.Expect(rec.err).To(MatchError(ContainSubstring("cleanup refused")), "reconcile %d", i)
		g.Expect(rec.statusWrites).To(Equal(map[bool]int{true: 1, false: 0}[rec.statusChanged]), "reconcile %d", i)
		failedWrites += rec.statusWrites
	}
	g.Expect(failedWrites).To(Equal(1), "the failure is written once, retries change nothing")

	latest := get(t, w)
	latest.Spec.FailCleanup = false
	g.Expect(env.Client().Update(ctx, latest)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{})).To(matchers.BeNotFound())
	}).WithTimeout(30 * time.Second).Should(Succeed())
}
