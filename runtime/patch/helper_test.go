package patch_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// newWidget creates a Widget in a new namespace and returns it as stored.
func newWidget(t *testing.T, finalizers ...string) *testapi.Widget {
	t.Helper()
	g := NewWithT(t)
	ns, err := env.CreateNamespace(t.Context(), "patch")
	g.Expect(err).NotTo(HaveOccurred())
	w := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "w", Finalizers: finalizers},
		Spec:       testapi.WidgetSpec{Value: "v1"},
	}
	g.Expect(env.Client().Create(t.Context(), w)).To(Succeed())
	return w
}

func get(t *testing.T, w *testapi.Widget) *testapi.Widget {
	t.Helper()
	out := &testapi.Widget{}
	NewWithT(t).Expect(env.Client().Get(t.Context(), client.ObjectKeyFromObject(w), out)).To(Succeed())
	return out
}

func TestNewHelperRejectsNil(t *testing.T) {
	g := NewWithT(t)
	_, err := patch.NewHelper(nil, env.Client())
	g.Expect(err).To(MatchError(patch.ErrNilArgument))
	_, err = patch.NewHelper(&testapi.Widget{}, nil)
	g.Expect(err).To(MatchError(patch.ErrNilArgument))
}

// unconvertible is a client.Object with a field JSON cannot hold.
type unconvertible struct {
	testapi.Widget
	C chan int `json:"c"`
}

func TestNewHelperRejectsUnconvertibleObjects(t *testing.T) {
	g := NewWithT(t)
	_, err := patch.NewHelper(&unconvertible{}, env.Client())
	g.Expect(err).To(MatchError(HavePrefix("new patch helper: convert to unstructured: ")))
	g.Expect(err).NotTo(MatchError(patch.ErrNilArgument))
}

func TestPatchWritesStatusOnceAndSpecOnce(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c, count := countingClient(t)
	w := newWidget(t)

	h, err := patch.NewHelper(w, c)
	g.Expect(err).NotTo(HaveOccurred())
	w.Finalizers = append(w.Finalizers, "test.sluice.dev/cleanup")
	w.Labels = map[string]string{"team": "a"}
	w.Spec.Value = "v2"
	w.Status.Value = "v1"
	conditions.MarkReconciling(w, meta.ProgressingReason, "working")
	conditions.MarkTrue(w, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored")
	conditions.SetSummary(w, conditions.SummaryOptions{Conditions: []string{meta.ArtifactInStorageCondition}})
	g.Expect(h.Patch(ctx, w, patch.WithStatusObservedGeneration())).To(Succeed())

	g.Expect(count.counts()).To(Equal(counts{statusWrites: 1, otherWrites: 1}),
		"one status write, one metadata and spec patch")

	got := get(t, w)
	g.Expect(got.Finalizers).To(ConsistOf("test.sluice.dev/cleanup"))
	g.Expect(got.Labels).To(HaveKeyWithValue("team", "a"))
	g.Expect(got.Spec.Value).To(Equal("v2"))
	g.Expect(got.Status.Value).To(Equal("v1"))
	g.Expect(got.Status.ObservedGeneration).To(Equal(int64(1)), "the generation passed to Patch")
	g.Expect(got).To(matchers.BeReconciling())
	g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionUnknown).WithReason(meta.ProgressingReason))
	g.Expect(w.ResourceVersion).To(Equal(got.ResourceVersion), "obj holds the server's copy")
	g.Expect(w.Generation).To(Equal(int64(2)), "the spec change bumped the generation")

	// The helper took a new snapshot: an unchanged object sends nothing.
	g.Expect(h.Patch(ctx, w)).To(Succeed())
	g.Expect(count.counts()).To(Equal(counts{statusWrites: 1, otherWrites: 1}))

	// A status-only change sends one status write and nothing else.
	conditions.Delete(w, meta.ReconcilingCondition)
	conditions.SetSummary(w, conditions.SummaryOptions{Conditions: []string{meta.ArtifactInStorageCondition}})
	g.Expect(h.Patch(ctx, w, patch.WithStatusObservedGeneration())).To(Succeed())
	g.Expect(count.counts()).To(Equal(counts{statusWrites: 2, otherWrites: 1}))
	got = get(t, w)
	g.Expect(got).To(matchers.BeReady().ForCurrentGeneration())
	g.Expect(got.Status.ObservedGeneration).To(Equal(int64(2)))
	g.Expect(conditions.CheckKstatus(got)).To(Succeed())
}

func TestPatchConflictMergesConditions(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c, count := countingClient(t)
	w := newWidget(t)
	conditions.MarkReconciling(w, meta.ProgressingReason, "working")
	conditions.MarkTrue(w, "Shared", "Base", "")
	conditions.MarkTrue(w, "TheirsUnchanged", "Base", "")
	g.Expect(env.Client().Status().Update(ctx, w)).To(Succeed())

	h, err := patch.NewHelper(w, c)
	g.Expect(err).NotTo(HaveOccurred())

	// Someone else writes the status after our snapshot.
	theirs := get(t, w)
	conditions.MarkFalse(theirs, meta.ReconcilingCondition, "TheirReconciling", "")
	conditions.MarkFalse(theirs, "Shared", "Theirs", "")
	conditions.MarkTrue(theirs, "External", "Theirs", "")
	theirs.Status.Value = "theirs"
	g.Expect(env.Client().Status().Update(ctx, theirs)).To(Succeed())

	// Our reconcile: owns Ready and Reconciling.
	conditions.Delete(w, meta.ReconcilingCondition)
	conditions.MarkFalse(w, "Shared", "Ours", "")
	conditions.MarkFalse(w, "TheirsUnchanged", "Ours", "")
	conditions.MarkTrue(w, meta.ReadyCondition, meta.SucceededReason, "done")
	w.Status.ObservedGeneration = 1
	g.Expect(h.Patch(ctx, w, patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition))).To(Succeed())

	g.Expect(count.counts()).To(Equal(counts{statusWrites: 2, statusConflicts: 1, reads: 1}),
		"the first write conflicts, one read, the second succeeds")
	got := get(t, w)
	g.Expect(conditions.Has(got, meta.ReconcilingCondition)).To(BeFalse(), "owned: our removal wins over their change")
	g.Expect(conditions.GetReason(got, meta.ReadyCondition)).To(Equal(meta.SucceededReason), "owned: ours")
	g.Expect(conditions.GetReason(got, "Shared")).To(Equal("Theirs"), "not owned and changed by them: theirs")
	g.Expect(conditions.GetReason(got, "TheirsUnchanged")).To(Equal("Ours"), "not owned, unchanged by them: ours")
	g.Expect(conditions.GetReason(got, "External")).To(Equal("Theirs"), "their new condition is kept")
	g.Expect(got.Status.Value).To(Equal("theirs"), "fields we did not change keep their value")
	g.Expect(got.Status.ObservedGeneration).To(Equal(int64(1)), "fields we changed are re-applied")
}

func TestPatchConflictRetriesRunOut(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c, count := countingClient(t)
	w := newWidget(t)
	h, err := patch.NewHelper(w, c)
	g.Expect(err).NotTo(HaveOccurred())

	// Before every status write, someone else bumps the object.
	n := 0
	count.set(func(c *counter) {
		c.beforeStatus = func() {
			n++
			other := get(t, w)
			other.Labels = map[string]string{"bump": string(rune('a' + n))}
			g.Expect(env.Client().Update(ctx, other)).To(Succeed())
		}
	})
	conditions.MarkTrue(w, meta.ReadyCondition, meta.SucceededReason, "done")
	err = h.Patch(ctx, w)
	g.Expect(apierrors.IsConflict(err)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(HavePrefix("patch status of " + w.Namespace + "/w: "))
	g.Expect(count.counts()).To(Equal(counts{statusWrites: 6, statusConflicts: 6, reads: 5}),
		"6 attempts, each read again before it but the first")
}

func TestPatchNotFound(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	w := newWidget(t)
	h, err := patch.NewHelper(w, env.Client())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(env.DeleteAndWait(ctx, w.DeepCopy())).To(Succeed())

	conditions.MarkTrue(w, meta.ReadyCondition, meta.SucceededReason, "done")
	err = h.Patch(ctx, w)
	g.Expect(err).To(matchers.BeNotFound())
	var status apierrors.APIStatus
	g.Expect(errors.As(err, &status)).To(BeTrue())

	// An object being deleted may vanish: that is success.
	now := metav1.Now()
	w.DeletionTimestamp = &now
	g.Expect(h.Patch(ctx, w)).To(Succeed())
}

func TestPatchRemovingTheLastFinalizerEndsTheObject(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c, count := countingClient(t)
	w := newWidget(t, "test.sluice.dev/cleanup")
	g.Expect(env.Client().Delete(ctx, w)).To(Succeed())
	w = get(t, w)
	g.Expect(w.DeletionTimestamp).NotTo(BeNil())

	h, err := patch.NewHelper(w, c)
	g.Expect(err).NotTo(HaveOccurred())
	w.Finalizers = nil
	conditions.MarkFalse(w, meta.ReadyCondition, "Finalized", "done")
	g.Expect(h.Patch(ctx, w)).To(Succeed())
	g.Expect(count.counts()).To(Equal(counts{statusWrites: 1, otherWrites: 1}), "status first, while the object exists")
	err = env.Client().Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{})
	g.Expect(err).To(matchers.BeNotFound())
}
