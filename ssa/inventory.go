package ssa

import (
	"encoding/json"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Inventory is the set of objects a manager applied for its owner: their
// ids, with the API version each was applied with where known, so that a
// later prune can address an object even after its id's group and kind
// gain or lose versions. The zero value is an empty inventory ready to
// use.
//
// An Inventory is stored between reconciliations in its JSON form, a
// sorted list of [InventoryEntry] (see [Inventory.MarshalJSON] and
// [Inventory.Entries]); two inventories give the objects to
// garbage-collect with [Inventory.Diff].
//
// Copies of an Inventory share their entries; use [Inventory.Clone] for an
// independent copy. An Inventory is not safe for concurrent mutation.
type Inventory struct {
	// versions maps each id to its API version, "" when unknown.
	versions map[ObjectID]string
}

// InventoryEntry is one object of an Inventory in its stored form.
type InventoryEntry struct {
	// ID is the object's id in the form [ObjectID.String] writes, such as
	// "apps_web_apps_Deployment".
	ID string `json:"id"`
	// Version is the version part of the API version the object was
	// applied with, such as "v1"; the group is in ID. Empty when unknown:
	// the manager then uses the version the apiserver prefers.
	Version string `json:"v,omitempty"`
}

// inventoryJSON is the JSON form of an Inventory.
type inventoryJSON struct {
	Entries []InventoryEntry `json:"entries"`
}

// NewInventory returns an inventory of objs, keeping their API versions.
func NewInventory(objs ...*unstructured.Unstructured) Inventory {
	var inv Inventory
	for _, o := range objs {
		inv.Add(IDOf(o), o.GroupVersionKind().Version)
	}
	return inv
}

// InventoryFromChangeSet returns the inventory of the objects cs says are
// on the cluster on behalf of the owner: every entry except those Deleted
// or Unknown. Skipped objects are kept, so that an excluded object still
// in the source is never garbage-collected. The API versions come from the
// objects of objs with the same ids, typically those applied; ids without
// one get an empty version.
func InventoryFromChangeSet(cs ChangeSet, objs ...*unstructured.Unstructured) Inventory {
	versions := make(map[ObjectID]string, len(objs))
	for _, o := range objs {
		versions[IDOf(o)] = o.GroupVersionKind().Version
	}
	var inv Inventory
	for _, e := range cs.Entries {
		switch e.Action {
		case Deleted, Unknown:
			continue
		}
		inv.Add(e.ID, versions[e.ID])
	}
	return inv
}

// InventoryFromEntries returns the inventory stored as entries. It returns
// an error wrapping ErrInvalidObjectID when an entry's id does not parse.
func InventoryFromEntries(entries []InventoryEntry) (Inventory, error) {
	var inv Inventory
	for _, e := range entries {
		id, err := ParseObjectID(e.ID)
		if err != nil {
			return Inventory{}, fmt.Errorf("read inventory: %w", err)
		}
		inv.Add(id, e.Version)
	}
	return inv, nil
}

// Add records id applied with API version version (such as "v1"; empty
// when unknown). An empty version never replaces a known one.
func (inv *Inventory) Add(id ObjectID, version string) {
	if inv.versions == nil {
		inv.versions = map[ObjectID]string{}
	}
	if old, ok := inv.versions[id]; ok && version == "" {
		version = old
	}
	inv.versions[id] = version
}

// Remove drops id from the inventory.
func (inv *Inventory) Remove(id ObjectID) { delete(inv.versions, id) }

// Has reports whether id is in the inventory.
func (inv Inventory) Has(id ObjectID) bool {
	_, ok := inv.versions[id]
	return ok
}

// Version returns the API version recorded for id, "" when unknown or
// absent.
func (inv Inventory) Version(id ObjectID) string { return inv.versions[id] }

// GroupVersionKind returns the group, version and kind of id as recorded;
// the version is empty when unknown.
func (inv Inventory) GroupVersionKind(id ObjectID) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: id.Group, Version: inv.versions[id], Kind: id.Kind}
}

// Len returns the number of objects in the inventory.
func (inv Inventory) Len() int { return len(inv.versions) }

// IDs returns the ids of the inventory sorted by their String form, so by
// namespace, then name, group and kind.
func (inv Inventory) IDs() []ObjectID {
	ids := make([]ObjectID, 0, len(inv.versions))
	for id := range inv.versions {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, compareIDs)
	return ids
}

// compareIDs orders ids as their String forms sort.
func compareIDs(a, b ObjectID) int {
	for _, c := range [][2]string{{a.Namespace, b.Namespace}, {a.Name, b.Name}, {a.Group, b.Group}, {a.Kind, b.Kind}} {
		switch {
		case c[0] < c[1]:
			return -1
		case c[0] > c[1]:
			return 1
		}
	}
	return 0
}

// Entries returns the stored form of the inventory, sorted as IDs sorts.
func (inv Inventory) Entries() []InventoryEntry {
	ids := inv.IDs()
	out := make([]InventoryEntry, len(ids))
	for i, id := range ids {
		out[i] = InventoryEntry{ID: id.String(), Version: inv.versions[id]}
	}
	return out
}

// Clone returns an independent copy of the inventory.
func (inv Inventory) Clone() Inventory {
	var out Inventory
	for id, v := range inv.versions {
		out.Add(id, v)
	}
	return out
}

// Diff returns what to garbage-collect when newer replaces inv: the
// objects of inv that newer does not hold, with the versions inv recorded.
// An object whose API version changed between the two is the same object
// and is not in the result.
func (inv Inventory) Diff(newer Inventory) Inventory {
	var stale Inventory
	for id, v := range inv.versions {
		if !newer.Has(id) {
			stale.Add(id, v)
		}
	}
	return stale
}

// MarshalJSON writes {"entries":[{"id":...,"v":...},...]} with the
// entries sorted, so equal inventories give equal bytes.
func (inv Inventory) MarshalJSON() ([]byte, error) {
	return json.Marshal(inventoryJSON{Entries: inv.Entries()})
}

// UnmarshalJSON reads the form MarshalJSON writes. It returns an error
// wrapping ErrInvalidObjectID when an id does not parse.
func (inv *Inventory) UnmarshalJSON(data []byte) error {
	var raw inventoryJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("read inventory: %w", err)
	}
	read, err := InventoryFromEntries(raw.Entries)
	if err != nil {
		return err
	}
	*inv = read
	return nil
}
