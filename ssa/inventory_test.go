package ssa_test

import (
	"encoding/json"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/ssa"
)

func TestInventoryFromObjectsAndChangeSet(t *testing.T) {
	g := NewWithT(t)
	deploy := lcObject("apps/v1", "Deployment", "web", "frontend", nil)
	cm := lcObject("v1", "ConfigMap", "web", "settings", nil)
	ns := lcObject("v1", "Namespace", "", "web", nil)

	inv := ssa.NewInventory(deploy, cm, ns)
	g.Expect(inv.Len()).To(Equal(3))
	g.Expect(inv.IDs()).To(Equal([]ssa.ObjectID{
		{Kind: "Namespace", Name: "web"},
		{Group: "apps", Kind: "Deployment", Namespace: "web", Name: "frontend"},
		{Kind: "ConfigMap", Namespace: "web", Name: "settings"},
	}))
	g.Expect(inv.Version(ssa.IDOf(deploy))).To(Equal("v1"))
	g.Expect(inv.GroupVersionKind(ssa.IDOf(deploy)).String()).To(Equal("apps/v1, Kind=Deployment"))

	cs := ssa.ChangeSet{Entries: []ssa.Change{
		{ID: ssa.IDOf(deploy), Action: ssa.Configured},
		{ID: ssa.IDOf(cm), Action: ssa.Skipped},
		{ID: ssa.IDOf(ns), Action: ssa.Created},
		{ID: ssa.ObjectID{Kind: "Secret", Namespace: "web", Name: "old"}, Action: ssa.Deleted},
		{ID: ssa.ObjectID{Kind: "Secret", Namespace: "web", Name: "unknown"}, Action: ssa.Unknown},
		{ID: ssa.ObjectID{Kind: "Secret", Namespace: "web", Name: "same"}, Action: ssa.Unchanged},
	}}
	fromCS := ssa.InventoryFromChangeSet(cs, deploy)
	g.Expect(fromCS.Entries()).To(Equal([]ssa.InventoryEntry{
		{ID: "_web__Namespace"},
		{ID: "web_frontend_apps_Deployment", Version: "v1"},
		{ID: "web_same__Secret"},
		{ID: "web_settings__ConfigMap"},
	}))
	// An unknown version never replaces a known one; a known one does.
	fromCS.Add(ssa.IDOf(deploy), "")
	g.Expect(fromCS.Version(ssa.IDOf(deploy))).To(Equal("v1"))
	fromCS.Add(ssa.IDOf(cm), "v1")
	g.Expect(fromCS.Version(ssa.IDOf(cm))).To(Equal("v1"))
	fromCS.Remove(ssa.IDOf(cm))
	g.Expect(fromCS.Has(ssa.IDOf(cm))).To(BeFalse())
	g.Expect(fromCS.Version(ssa.IDOf(cm))).To(BeEmpty())

	var zero ssa.Inventory
	g.Expect(zero.Len()).To(BeZero())
	g.Expect(zero.IDs()).To(BeEmpty())
	g.Expect(zero.Has(ssa.IDOf(cm))).To(BeFalse())
}

func TestInventoryDiff(t *testing.T) {
	g := NewWithT(t)
	a := ssa.ObjectID{Kind: "ConfigMap", Namespace: "ns", Name: "a"}
	b := ssa.ObjectID{Kind: "ConfigMap", Namespace: "ns", Name: "b"}
	c := ssa.ObjectID{Group: "example.com", Kind: "Widget", Namespace: "ns", Name: "c"}
	var old, current ssa.Inventory
	old.Add(a, "v1")
	old.Add(b, "v1")
	old.Add(c, "v1beta1")
	current.Add(a, "v1")
	current.Add(c, "v1") // a new API version is the same object

	stale := old.Diff(current)
	g.Expect(stale.IDs()).To(Equal([]ssa.ObjectID{b}))
	g.Expect(stale.Version(b)).To(Equal("v1"))
	g.Expect(current.Diff(old).Len()).To(BeZero())
	g.Expect(old.Diff(ssa.Inventory{}).Len()).To(Equal(3))

	// Clone is independent; a plain copy shares entries.
	clone := old.Clone()
	clone.Remove(a)
	g.Expect(old.Has(a)).To(BeTrue())
}

func TestInventoryJSON(t *testing.T) {
	g := NewWithT(t)
	var inv ssa.Inventory
	inv.Add(ssa.ObjectID{Group: "apps", Kind: "Deployment", Namespace: "web", Name: "frontend"}, "v1")
	inv.Add(ssa.ObjectID{Kind: "Namespace", Name: "web"}, "")
	data, err := json.Marshal(inv)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(data)).To(Equal(`{"entries":[{"id":"_web__Namespace"},{"id":"web_frontend_apps_Deployment","v":"v1"}]}`))

	var back ssa.Inventory
	g.Expect(json.Unmarshal(data, &back)).To(Succeed())
	g.Expect(back.Entries()).To(Equal(inv.Entries()))

	// In a status field.
	type status struct {
		Inventory *ssa.Inventory `json:"inventory,omitempty"`
	}
	data, err = json.Marshal(status{Inventory: &inv})
	g.Expect(err).NotTo(HaveOccurred())
	var st status
	g.Expect(json.Unmarshal(data, &st)).To(Succeed())
	g.Expect(st.Inventory.Len()).To(Equal(2))

	g.Expect(json.Unmarshal([]byte(`{"entries":[{"id":"not-an-id"}]}`), &back)).To(MatchError(ssa.ErrInvalidObjectID))
	g.Expect(json.Unmarshal([]byte(`{"entries":7}`), &back)).To(MatchError(ContainSubstring("read inventory")))
	_, err = ssa.InventoryFromEntries([]ssa.InventoryEntry{{ID: "ns_name_apps_"}})
	g.Expect(err).To(MatchError(ssa.ErrInvalidObjectID))
	fromEntries, err := ssa.InventoryFromEntries(inv.Entries())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(fromEntries.Entries()).To(Equal(inv.Entries()))
}

func ExampleInventory_Diff() {
	var previous, current ssa.Inventory
	web := ssa.ObjectID{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"}
	worker := ssa.ObjectID{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "worker"}
	previous.Add(web, "v1")
	previous.Add(worker, "v1")
	current.Add(web, "v1")

	for _, id := range previous.Diff(current).IDs() {
		fmt.Println("garbage:", id.Display())
	}
	stored, _ := json.Marshal(current)
	fmt.Println(string(stored))
	// Output:
	// garbage: Deployment.apps/shop/worker
	// {"entries":[{"id":"shop_web_apps_Deployment","v":"v1"}]}
}
