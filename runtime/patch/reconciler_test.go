package patch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/source"

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
	// requests are the requests the reconcile sent.
	requests counts
	err      error
	// ready and reconciling are the Ready status and whether Reconciling
	// was True when the reconcile ended.
	ready       metav1.ConditionStatus
	reconciling bool
	// kstatus is what cli-utils computes for the status the reconcile
	// ended with, and kstatusErr what CheckKstatus says about it.
	kstatus    status.Status
	kstatusErr error
	// deleting is whether the object had a deletionTimestamp.
	deleting bool
}

// statusWritten says whether the reconcile wrote the status: a status
// write the server accepted.
func (rec reconcileRecord) statusWritten() bool {
	return rec.requests.statusWrites > rec.requests.statusConflicts
}

// widgetReconciler is the way a Sluice controller is meant to be written:
// read through the manager's cached client, snapshot, finalizer step, mark
// Reconciling when a new generation starts, do the work, summarise, and
// patch once.
type widgetReconciler struct {
	client client.Client
	count  *counter

	mu      sync.Mutex
	records []reconcileRecord
	// onRead, when set, sees every Widget the reconciler read.
	onRead func(*testapi.Widget)
}

func (r *widgetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	w := &testapi.Widget{}
	// The cache may lag the API server, even behind this controller's own
	// last write: the helper pays for that with one rejected write.
	if err := r.client.Get(ctx, req.NamespacedName, w); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	r.mu.Lock()
	onRead := r.onRead
	r.mu.Unlock()
	if onRead != nil {
		onRead(w)
	}
	before := r.count.counts()
	res, err := r.reconcile(ctx, w)
	rec := reconcileRecord{
		requests:    r.count.counts().minus(before),
		err:         err,
		reconciling: conditions.IsTrue(w, meta.ReconcilingCondition),
		deleting:    w.DeletionTimestamp != nil,
		kstatusErr:  conditions.CheckKstatus(w),
	}
	if c := conditions.Get(w, meta.ReadyCondition); c != nil {
		rec.ready = c.Status
	}
	var kerr error
	rec.kstatus, kerr = kstatusOf(w)
	if rec.err == nil {
		rec.err = kerr
	}
	r.mu.Lock()
	r.records = append(r.records, rec)
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
// (other tests leave Widgets behind) running widgetReconciler on the
// manager's cached client, stopped when the test ends. A Widget sent to
// the returned channel is reconciled whatever the cache holds.
func startWidgetController(t *testing.T) (string, *widgetReconciler, chan<- event.GenericEvent) {
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
	r := &widgetReconciler{client: mgr.GetClient(), count: count}
	trigger := make(chan event.GenericEvent)
	g.Expect(ctrl.NewControllerManagedBy(mgr).For(&testapi.Widget{}).Named("widget").
		WatchesRawSource(source.Channel(trigger, &handler.EnqueueRequestForObject{})).
		Complete(r)).To(Succeed())
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() {
		count.openGate()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	return ns, r, trigger
}

// outcome is what a reconcile that wrote the status left in it.
type outcome struct {
	ready       metav1.ConditionStatus
	reconciling bool
	kstatus     status.Status
}

// The outcomes of the reconciles that write the status.
func progressed() outcome { return outcome{metav1.ConditionUnknown, true, status.InProgressStatus} }
func readied() outcome    { return outcome{metav1.ConditionTrue, false, status.CurrentStatus} }
func finalized() outcome  { return outcome{metav1.ConditionFalse, false, status.TerminatingStatus} }

// expectWithinBound checks one reconcile's requests against the bound
// the package documents: at most one accepted status write and one
// accepted metadata write; at most one write of each part rejected with a
// conflict (nobody else writes the Widget meanwhile, so a conflict comes
// from the cache lagging, and the copy read after it is current); and one
// read of the object for each conflict, none otherwise.
func expectWithinBound(g Gomega, i int, c counts) {
	g.Expect(c.statusWrites-c.statusConflicts).To(BeNumerically("<=", 1), "reconcile %d: %+v", i, c)
	g.Expect(c.statusConflicts).To(BeNumerically("<=", 1), "reconcile %d: %+v", i, c)
	g.Expect(c.otherWrites-c.otherConflicts).To(BeNumerically("<=", 1), "reconcile %d: %+v", i, c)
	g.Expect(c.otherConflicts).To(BeNumerically("<=", 1), "reconcile %d: %+v", i, c)
	g.Expect(c.reads).To(Equal(c.statusConflicts+c.otherConflicts), "reconcile %d: %+v", i, c)
}

// expectRecords waits until every reconcile so far stayed within the
// bound and the reconciles that wrote the status left the wanted
// outcomes, in order. It returns the number of conflicts seen.
func expectRecords(t *testing.T, r *widgetReconciler, want ...outcome) int {
	t.Helper()
	conflicts := 0
	NewWithT(t).Eventually(func(g Gomega) {
		var written []outcome
		conflicts = 0
		for i, rec := range r.snapshot() {
			g.Expect(rec.err).NotTo(HaveOccurred(), "reconcile %d", i)
			expectWithinBound(g, i, rec.requests)
			conflicts += rec.requests.statusConflicts + rec.requests.otherConflicts
			if rec.statusWritten() {
				written = append(written, outcome{rec.ready, rec.reconciling, rec.kstatus})
				if rec.kstatus != status.TerminatingStatus {
					g.Expect(rec.kstatusErr).NotTo(HaveOccurred(), "reconcile %d", i)
				}
			}
		}
		g.Expect(written).To(Equal(want))
	}).WithTimeout(10 * time.Second).Should(Succeed())
	return conflicts
}

// TestReconcilerWritesStatusOncePerReconcile runs widgetReconciler, which
// reads through the manager's cached client, in a real manager against
// the real API server and checks the acceptance criteria:
// Reconciling, then Ready, with one status write per reconcile that
// changes the status and none otherwise (plus, when the cache lagged, one
// rejected write and one read: the documented bound), a final status that
// follows kstatus, and cli-utils computing Current.
func TestReconcilerWritesStatusOncePerReconcile(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, r, _ := startWidgetController(t)
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
	expectRecords(t, r, progressed(), readied())

	// A spec change: a new generation goes through Reconciling to Ready again.
	update(t, w, func(w *testapi.Widget) { w.Spec.Value = "v2" })
	g.Eventually(func(g Gomega) {
		got := get(t, w)
		g.Expect(got.Status.Value).To(Equal("v2"))
		g.Expect(got).To(matchers.BeReady().ForCurrentGeneration())
	}).WithTimeout(30 * time.Second).Should(Succeed())
	checkFinal(2, "v2")
	expectRecords(t, r, progressed(), readied(), progressed(), readied())

	// Deletion: the finalizer step cleans up and the object goes away, with
	// one status write (Ready False, Finalized) before the finalizer is
	// removed.
	g.Expect(env.DeleteAndWait(ctx, get(t, w))).To(Succeed())
	conflicts := expectRecords(t, r, progressed(), readied(), progressed(), readied(), finalized())
	t.Logf("%d reconciles, %d conflicts from a lagging cache", len(r.snapshot()), conflicts)
}

// TestReconcilerStaleCacheCostsOneRejectedWrite makes the cache lag on
// purpose: it holds the Widget watch events from the moment the
// reconciler reads a new generation (so the cache never sees the
// reconciler write Reconciling for it), lets another actor add a
// condition of its own, and triggers a reconcile, which reads the copy
// from before the controller's own write. Such a reconcile costs exactly
// one status write rejected with a conflict and one read, writes nothing
// else (the server already holds its outcome), and keeps the other
// actor's condition. Once the events flow again, the next reconcile
// writes Ready in one request.
func TestReconcilerStaleCacheCostsOneRejectedWrite(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, r, trigger := startWidgetController(t)
	w := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "w"},
		Spec:       testapi.WidgetSpec{Value: "v1"},
	}
	g.Expect(env.Client().Create(ctx, w)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(get(t, w)).To(matchers.BeReady().ForCurrentGeneration())
	}).WithTimeout(30 * time.Second).Should(Succeed())
	expectRecords(t, r, progressed(), readied())

	// The first reconcile of generation 2 closes the gate before it writes
	// Reconciling.
	closed := false // only the reconciler's goroutine reads and writes it
	r.mu.Lock()
	r.onRead = func(w *testapi.Widget) {
		if w.Generation == 2 && !closed {
			closed = true
			r.count.closeGate()
		}
	}
	r.mu.Unlock()
	update(t, w, func(w *testapi.Widget) { w.Spec.Value = "v2" })
	g.Eventually(func(g Gomega) {
		g.Expect(get(t, w)).To(matchers.BeReconciling())
	}).WithTimeout(30 * time.Second).Should(Succeed())
	g.Expect(r.count.gateClosed()).To(BeTrue())
	expectRecords(t, r, progressed(), readied(), progressed())
	n := len(r.snapshot())

	theirs := get(t, w)
	conditions.MarkTrue(theirs, "External", "Theirs", "set by another actor")
	g.Expect(env.Client().Status().Update(ctx, theirs)).To(Succeed())

	trigger <- event.GenericEvent{Object: &testapi.Widget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "w"}}}
	g.Eventually(func() int { return len(r.snapshot()) }).WithTimeout(30 * time.Second).Should(BeNumerically(">", n))
	// Every reconcile since the controller's write (the triggered one, and
	// any the informer had queued before the gate closed) read the stale
	// copy.
	for i, stale := range r.snapshot()[n:] {
		g.Expect(stale.err).NotTo(HaveOccurred())
		g.Expect(stale.requests).To(Equal(counts{statusWrites: 1, statusConflicts: 1, reads: 1}),
			"reconcile %d: one rejected status write, one read, nothing left to write", n+i)
		g.Expect(stale.reconciling).To(BeTrue(), "it ends with the server's copy")
	}
	g.Expect(r.count.gateClosed()).To(BeTrue(), "the cache still lags")
	g.Expect(get(t, w)).To(matchers.HaveCondition("External", metav1.ConditionTrue))

	r.count.openGate()
	g.Eventually(func(g Gomega) {
		got := get(t, w)
		g.Expect(got.Status.Value).To(Equal("v2"))
		g.Expect(got).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(got).To(matchers.HaveCondition("External", metav1.ConditionTrue).WithReason("Theirs"))
	}).WithTimeout(30 * time.Second).Should(Succeed())
	expectRecords(t, r, progressed(), readied(), progressed(), readied())
}

// TestReconcilerCleanupFailureKeepsTheObject deletes a Widget whose cleanup
// fails: the finalizer stays, Ready says why in one status write, retries
// that change nothing write nothing, and the object goes once the cleanup
// succeeds.
func TestReconcilerCleanupFailureKeepsTheObject(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, r, _ := startWidgetController(t)
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
		expectWithinBound(g, i, rec.requests)
		if rec.statusWritten() {
			failedWrites++
		}
	}
	g.Expect(failedWrites).To(Equal(1), "the failure is written once, retries change nothing")

	update(t, w, func(w *testapi.Widget) { w.Spec.FailCleanup = false })
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{})).To(matchers.BeNotFound())
	}).WithTimeout(30 * time.Second).Should(Succeed())
}
