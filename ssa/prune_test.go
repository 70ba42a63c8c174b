package ssa_test

import (
	"context"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/sluice-dev/sluice/ssa"
)

// lcOwned returns the owner labels of lcOwner plus extra.
func lcOwned(extra map[string]string) map[string]string {
	l := lcOwner.Labels()
	for k, v := range extra {
		l[k] = v
	}
	return l
}

// TestPruneNeverTouchesUnownedObjects puts objects of every unowned shape
// in the stale inventory, next to owned ones, and checks that only the
// owned ones go.
func TestPruneNeverTouchesUnownedObjects(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "prune-safety")
	other := lcOwner
	other.Name = "someone-else"

	owned := lcCreate(t, lcObject("v1", "ConfigMap", ns, "owned", lcOwned(nil)))
	ownedSecret := lcCreate(t, lcObject("v1", "Secret", ns, "owned", lcOwned(nil)))
	// Same name and kind as an inventory entry, but another owner's labels.
	otherOwner := lcCreate(t, lcObject("v1", "ConfigMap", ns, "other-owner", other.Labels()))
	// Same owner name, another owner namespace.
	otherNS := lcOwner
	otherNS.Namespace = "elsewhere"
	otherNamespace := lcCreate(t, lcObject("v1", "ConfigMap", ns, "other-namespace", otherNS.Labels()))
	// Same owner labels under another label group.
	otherGroup := lcOwner
	otherGroup.Group = "other.example.com"
	otherGroupObj := lcCreate(t, lcObject("v1", "ConfigMap", ns, "other-group", otherGroup.Labels()))
	// Created owned, then someone removed one owner label.
	relabelled := lcCreate(t, lcObject("v1", "ConfigMap", ns, "relabelled", lcOwned(nil)))
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"labels":{"`+lcOwner.NamespaceLabel()+`":null}}}`))
	g.Expect(testEnv.Client().Patch(t.Context(), relabelled.DeepCopy(), patch)).To(Succeed())
	// Created owned, deleted, recreated by another owner.
	recreated := lcCreate(t, lcObject("v1", "ConfigMap", ns, "recreated", lcOwned(nil)))
	g.Expect(testEnv.Client().Delete(t.Context(), recreated.DeepCopy())).To(Succeed())
	recreated = lcCreate(t, lcObject("v1", "ConfigMap", ns, "recreated", other.Labels()))
	// Never labelled at all.
	unlabelled := lcCreate(t, lcObject("v1", "ConfigMap", ns, "unlabelled", nil))
	// Owned but excluded by its live copy.
	excluded := lcCreate(t, lcObject("v1", "ConfigMap", ns, "excluded", lcOwned(map[string]string{lcOwner.ReconcileKey(): ssa.ReconcileDisabled})))
	// Owned and outside the inventory.
	outside := lcCreate(t, lcObject("v1", "ConfigMap", ns, "outside", lcOwned(nil)))
	// In the inventory but absent, and of a kind nobody serves.
	absent := lcObject("v1", "ConfigMap", ns, "absent", nil)
	unserved := lcObject("gone.example.com/v1", "Thing", ns, "thing", nil)

	stale := ssa.NewInventory(owned, ownedSecret, otherOwner, otherNamespace, otherGroupObj, relabelled, recreated, unlabelled, excluded, absent, unserved)
	// An API version the apiserver no longer serves falls back to the
	// preferred one.
	stale.Add(ssa.IDOf(ownedSecret), "v1beta7")

	m := lcManager(t, lcOwner)
	cs, err := m.Prune(t.Context(), stale, ssa.PruneOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Len()).To(Equal(stale.Len()))
	g.Expect(cs.ToGroupMap()).To(Equal(map[string][]string{
		"deleted": {"ConfigMap/" + ns + "/owned", "Secret/" + ns + "/owned"},
		"skipped": {
			"ConfigMap/" + ns + "/absent",
			"ConfigMap/" + ns + "/excluded",
			"ConfigMap/" + ns + "/other-group",
			"ConfigMap/" + ns + "/other-namespace",
			"ConfigMap/" + ns + "/other-owner",
			"ConfigMap/" + ns + "/recreated",
			"ConfigMap/" + ns + "/relabelled",
			"ConfigMap/" + ns + "/unlabelled",
			"Thing.gone.example.com/" + ns + "/thing",
		},
	}))
	for _, o := range []*unstructured.Unstructured{owned, ownedSecret} {
		_, found := lcGet(t, o)
		g.Expect(found).To(BeFalse(), o.GetName())
	}
	for _, o := range []*unstructured.Unstructured{otherOwner, otherNamespace, otherGroupObj, relabelled, unlabelled, excluded, outside} {
		live, found := lcGet(t, o)
		g.Expect(found).To(BeTrue(), o.GetName())
		g.Expect(live.GetDeletionTimestamp()).To(BeNil(), o.GetName())
	}
	live, found := lcGet(t, recreated)
	g.Expect(found).To(BeTrue())
	g.Expect(live.GetUID()).To(Equal(recreated.GetUID()))
	g.Expect(live.GetLabels()).To(Equal(other.Labels()))
}

// TestPruneRechecksAnObjectChangedAfterTheRead relabels an owned object
// between the manager's read and its delete, as another writer racing the
// prune would: the delete's preconditions fail, the manager reads the
// object again, sees it is no longer owned, and leaves it.
func TestPruneRechecksAnObjectChangedAfterTheRead(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "prune-race")
	contested := lcCreate(t, lcObject("v1", "ConfigMap", ns, "contested", lcOwned(nil)))

	var once sync.Once
	base := lcWatchClient(t)
	racing := interceptor.NewClient(base, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if err := c.Get(ctx, key, obj, opts...); err != nil {
				return err
			}
			var err error
			once.Do(func() {
				patch := client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"labels":{"`+lcOwner.NameLabel()+`":"thief"}}}`))
				err = testEnv.Client().Patch(ctx, contested.DeepCopy(), patch)
			})
			return err
		},
	})
	m, err := ssa.New(racing, lcOwner)
	g.Expect(err).NotTo(HaveOccurred())

	cs, err := m.Prune(t.Context(), ssa.NewInventory(contested), ssa.PruneOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Entries).To(Equal([]ssa.Change{{ID: ssa.IDOf(contested), Action: ssa.Skipped}}))
	live, found := lcGet(t, contested)
	g.Expect(found).To(BeTrue())
	g.Expect(live.GetLabels()[lcOwner.NameLabel()]).To(Equal("thief"))
}

func TestPruneRefusesWithoutOwnerName(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "prune-noowner")
	nameless := lcOwner
	nameless.Name = ""
	nameless.Namespace = ""
	// Labels an owner without a name would match if it matched at all.
	cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "anything", map[string]string{lcOwner.NameLabel(): "", lcOwner.NamespaceLabel(): ""}))
	m := lcManager(t, nameless)
	cs, err := m.Prune(t.Context(), ssa.NewInventory(cm), ssa.PruneOptions{})
	g.Expect(err).To(MatchError(ssa.ErrNoOwnerName))
	g.Expect(cs.Len()).To(BeZero())
	_, found := lcGet(t, cm)
	g.Expect(found).To(BeTrue())
}

func TestPruneInvalidPolicy(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "prune-policy")
	cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "owned", lcOwned(nil)))
	m := lcManager(t, lcOwner)
	_, err := m.Prune(t.Context(), ssa.NewInventory(cm), ssa.PruneOptions{PropagationPolicy: "Later"})
	g.Expect(err).To(MatchError(ssa.ErrInvalidPropagationPolicy))
	_, found := lcGet(t, cm)
	g.Expect(found).To(BeTrue())
}

// TestPruneAfterInventoryDiff runs the garbage-collection cycle a
// controller runs: the old inventory minus the new one is pruned.
func TestPruneAfterInventoryDiff(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "prune-cycle")
	kept := lcCreate(t, lcObject("v1", "ConfigMap", ns, "kept", lcOwned(nil)))
	dropped := lcCreate(t, lcObject("v1", "ConfigMap", ns, "dropped", lcOwned(nil)))
	old := ssa.NewInventory(kept, dropped)
	current := ssa.InventoryFromChangeSet(ssa.ChangeSet{Entries: []ssa.Change{{ID: ssa.IDOf(kept), Action: ssa.Unchanged}}}, kept)

	m := lcManager(t, lcOwner)
	cs, err := m.Prune(t.Context(), old.Diff(current), ssa.PruneOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.Entries).To(Equal([]ssa.Change{{ID: ssa.IDOf(dropped), Action: ssa.Deleted}}))
	g.Expect(m.WaitForTerminationIDs(t.Context(), cs.IDs(), ssa.WaitOptions{})).To(Succeed())
	_, found := lcGet(t, kept)
	g.Expect(found).To(BeTrue())
}
