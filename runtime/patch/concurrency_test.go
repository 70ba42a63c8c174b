package patch_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

const (
	ourFinalizer   = "test.sluice.dev/cleanup"
	theirFinalizer = "other.example.com/keep"
)

// update changes the stored copy of w through another client, as another
// actor would.
func update(t *testing.T, w *testapi.Widget, change func(*testapi.Widget)) {
	t.Helper()
	latest := get(t, w)
	change(latest)
	NewWithT(t).Expect(env.Client().Update(t.Context(), latest)).To(Succeed())
}

func addTheirFinalizer(w *testapi.Widget) { controllerutil.AddFinalizer(w, theirFinalizer) }

// TestPatchKeepsAFinalizerAddedConcurrently changes another actor's
// finalizer after the helper's snapshot (or between its two writes) and
// checks that the reconcile's finalizer change is applied to the server's
// list, at the documented cost: one rejected write and one read.
func TestPatchKeepsAFinalizerAddedConcurrently(t *testing.T) {
	tests := []struct {
		name string
		// initial are the object's finalizers; deleting deletes it first.
		initial  []string
		deleting bool
		// theirs is the other actor's change, made right after the
		// snapshot, or with betweenWrites right before the metadata write
		// (after the status write).
		theirs        func(*testapi.Widget)
		betweenWrites bool
		// change is the reconcile's change.
		change     func(*testapi.Widget)
		wantCounts counts
		// wantFinalizers are the finalizers at the end; nil: the object is gone.
		wantFinalizers []string
	}{{
		name: "finalizer and status added, status write conflicts",
		change: func(w *testapi.Widget) {
			controllerutil.AddFinalizer(w, ourFinalizer)
			conditions.MarkTrue(w, meta.ReadyCondition, meta.SucceededReason, "done")
		},
		wantCounts:     counts{statusWrites: 2, statusConflicts: 1, reads: 1, otherWrites: 1},
		wantFinalizers: []string{theirFinalizer, ourFinalizer},
	}, {
		name:           "finalizer added alone, metadata write conflicts",
		change:         func(w *testapi.Widget) { controllerutil.AddFinalizer(w, ourFinalizer) },
		wantCounts:     counts{otherWrites: 2, otherConflicts: 1, reads: 1},
		wantFinalizers: []string{theirFinalizer, ourFinalizer},
	}, {
		name:          "their finalizer added between the status and the metadata write",
		betweenWrites: true,
		change: func(w *testapi.Widget) {
			controllerutil.AddFinalizer(w, ourFinalizer)
			conditions.MarkTrue(w, meta.ReadyCondition, meta.SucceededReason, "done")
		},
		wantCounts:     counts{statusWrites: 1, otherWrites: 2, otherConflicts: 1, reads: 1},
		wantFinalizers: []string{theirFinalizer, ourFinalizer},
	}, {
		// While an object is deleted no finalizer can be added, so the
		// other actor removes theirs: merging the whole list would add it
		// back (which the API server refuses).
		name:     "both finalizers removed from an object being deleted",
		initial:  []string{theirFinalizer, ourFinalizer},
		deleting: true,
		theirs:   func(w *testapi.Widget) { controllerutil.RemoveFinalizer(w, theirFinalizer) },
		change: func(w *testapi.Widget) {
			controllerutil.RemoveFinalizer(w, ourFinalizer)
			conditions.MarkFalse(w, meta.ReadyCondition, "Finalized", "done")
		},
		wantCounts: counts{statusWrites: 2, statusConflicts: 1, reads: 1, otherWrites: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := t.Context()
			c, count := countingClient(t)
			w := newWidget(t, tt.initial...)
			if tt.deleting {
				g.Expect(env.Client().Delete(ctx, w)).To(Succeed())
				w = get(t, w)
				g.Expect(w.DeletionTimestamp).NotTo(BeNil())
			}
			theirs := tt.theirs
			if theirs == nil {
				theirs = addTheirFinalizer
			}
			t.Cleanup(func() { // let the namespace go
				latest := &testapi.Widget{}
				if err := env.Client().Get(ctx, client.ObjectKeyFromObject(w), latest); err == nil {
					latest.Finalizers = nil
					_ = env.Client().Update(ctx, latest)
				}
			})

			h, err := patch.NewHelper(w, c)
			g.Expect(err).NotTo(HaveOccurred())
			if tt.betweenWrites {
				once := false
				count.set(func(c *counter) {
					c.beforeOther = func() {
						if !once {
							once = true
							update(t, w, theirs)
						}
					}
				})
			} else {
				update(t, w, theirs)
			}
			tt.change(w)
			g.Expect(h.Patch(ctx, w)).To(Succeed())

			g.Expect(count.counts()).To(Equal(tt.wantCounts))
			if tt.wantFinalizers == nil {
				err := env.Client().Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{})
				g.Expect(err).To(matchers.BeNotFound())
				return
			}
			got := get(t, w)
			g.Expect(got.Finalizers).To(Equal(tt.wantFinalizers))
			g.Expect(w.Finalizers).To(Equal(tt.wantFinalizers), "obj holds the server's copy")
			g.Expect(w.ResourceVersion).To(Equal(got.ResourceVersion))
		})
	}
}

// TestPatchMergesLabelsAndAnnotationsByKey removes the reconcile's only
// label and annotation while another actor adds theirs: the merge patch
// deletes our keys one by one, without a lock, and theirs survive.
func TestPatchMergesLabelsAndAnnotationsByKey(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c, count := countingClient(t)
	ns, err := env.CreateNamespace(ctx, "patch")
	g.Expect(err).NotTo(HaveOccurred())
	w := &testapi.Widget{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: "w",
		Labels:      map[string]string{"ours": "a"},
		Annotations: map[string]string{"ours": "a"},
	}}
	g.Expect(env.Client().Create(ctx, w)).To(Succeed())

	h, err := patch.NewHelper(w, c)
	g.Expect(err).NotTo(HaveOccurred())
	update(t, w, func(w *testapi.Widget) {
		w.Labels["theirs"] = "b"
		w.Annotations["theirs"] = "b"
	})
	w.Labels = nil
	w.Annotations = map[string]string{}
	g.Expect(h.Patch(ctx, w)).To(Succeed())

	g.Expect(count.counts()).To(Equal(counts{otherWrites: 1}), "maps need no lock")
	got := get(t, w)
	g.Expect(got.Labels).To(Equal(map[string]string{"theirs": "b"}))
	g.Expect(got.Annotations).To(Equal(map[string]string{"theirs": "b"}))
}

// TestPatchReplacesOtherListsOnlyIfUnchanged sets an owner reference, a
// list the helper cannot merge: it is written when the server still holds
// the snapshot's list, and it is a conflict when another actor changed it.
func TestPatchReplacesOtherListsOnlyIfUnchanged(t *testing.T) {
	owner := func(name string) metav1.OwnerReference {
		return metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: name, UID: types.UID("uid-" + name)}
	}
	t.Run("their change elsewhere: written after one conflict", func(t *testing.T) {
		g := NewWithT(t)
		ctx := t.Context()
		c, count := countingClient(t)
		w := newWidget(t)
		h, err := patch.NewHelper(w, c)
		g.Expect(err).NotTo(HaveOccurred())
		update(t, w, func(w *testapi.Widget) { w.Labels = map[string]string{"theirs": "b"} })
		w.OwnerReferences = []metav1.OwnerReference{owner("ours")}
		g.Expect(h.Patch(ctx, w)).To(Succeed())

		g.Expect(count.counts()).To(Equal(counts{otherWrites: 2, otherConflicts: 1, reads: 1}))
		got := get(t, w)
		g.Expect(got.OwnerReferences).To(Equal([]metav1.OwnerReference{owner("ours")}))
		g.Expect(got.Labels).To(Equal(map[string]string{"theirs": "b"}))
	})
	t.Run("their change to the same list: a conflict, theirs kept", func(t *testing.T) {
		g := NewWithT(t)
		ctx := t.Context()
		c, count := countingClient(t)
		w := newWidget(t)
		h, err := patch.NewHelper(w, c)
		g.Expect(err).NotTo(HaveOccurred())
		update(t, w, func(w *testapi.Widget) { w.OwnerReferences = []metav1.OwnerReference{owner("theirs")} })
		w.OwnerReferences = []metav1.OwnerReference{owner("ours")}
		err = h.Patch(ctx, w)

		g.Expect(apierrors.IsConflict(err)).To(BeTrue(), "%v", err)
		g.Expect(err).To(MatchError(HavePrefix("patch metadata and spec of " + w.Namespace + "/w: ")))
		g.Expect(err).To(MatchError(ContainSubstring("metadata.ownerReferences was changed by another writer")))
		g.Expect(count.counts()).To(Equal(counts{otherWrites: 1, otherConflicts: 1, reads: 1}), "not retried")
		g.Expect(get(t, w).OwnerReferences).To(Equal([]metav1.OwnerReference{owner("theirs")}))
	})
}

// TestPatchStaleSnapshotAlreadyWritten patches from a snapshot older than
// the server's copy, which already holds the reconcile's outcome (as when
// a cached read lags the controller's own last write): one rejected
// write, one read, nothing more to send.
func TestPatchStaleSnapshotAlreadyWritten(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	w := newWidget(t)
	stale := w.DeepCopy()
	owned := patch.WithOwnedConditions(meta.ReadyCondition)

	h, err := patch.NewHelper(w, env.Client())
	g.Expect(err).NotTo(HaveOccurred())
	conditions.MarkTrue(w, meta.ReadyCondition, meta.SucceededReason, "done")
	g.Expect(h.Patch(ctx, w, owned, patch.WithStatusObservedGeneration())).To(Succeed())

	c, count := countingClient(t)
	h, err = patch.NewHelper(stale, c)
	g.Expect(err).NotTo(HaveOccurred())
	conditions.MarkTrue(stale, meta.ReadyCondition, meta.SucceededReason, "done")
	// The same outcome, reached at another time.
	stale.Status.Conditions[0].LastTransitionTime = metav1.NewTime(time.Now().Add(time.Hour))
	g.Expect(h.Patch(ctx, stale, owned, patch.WithStatusObservedGeneration())).To(Succeed())

	g.Expect(count.counts()).To(Equal(counts{statusWrites: 1, statusConflicts: 1, reads: 1}))
	got := get(t, w)
	g.Expect(stale.ResourceVersion).To(Equal(got.ResourceVersion), "obj holds the copy read")
	g.Expect(got.Status.Conditions).To(Equal(w.Status.Conditions), "the transition time is the first write's")
}

// TestPatchStatusFieldsNeedNoLock writes a status field from a stale
// snapshot: without a condition change the status write carries no
// resourceVersion, so it does not conflict, and the fields another writer
// set meanwhile stay.
func TestPatchStatusFieldsNeedNoLock(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c, count := countingClient(t)
	w := newWidget(t)
	h, err := patch.NewHelper(w, c)
	g.Expect(err).NotTo(HaveOccurred())
	theirs := get(t, w)
	theirs.Status.Value = "theirs"
	conditions.MarkTrue(theirs, "External", "Theirs", "")
	g.Expect(env.Client().Status().Update(ctx, theirs)).To(Succeed())

	w.Status.ObservedGeneration = 1
	g.Expect(h.Patch(ctx, w)).To(Succeed())
	g.Expect(count.counts()).To(Equal(counts{statusWrites: 1}))
	got := get(t, w)
	g.Expect(got.Status.ObservedGeneration).To(Equal(int64(1)))
	g.Expect(got.Status.Value).To(Equal("theirs"))
	g.Expect(got).To(matchers.HaveCondition("External", metav1.ConditionTrue))
}
