package ssa

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ErrNoOwnerName means a prune was asked of a manager whose Owner has no
// Name: without owner labels to match, the manager cannot tell its objects
// from anyone else's, so it deletes nothing.
var ErrNoOwnerName = errors.New("owner has no name")

// PruneOptions configure one Prune. The zero value prunes with background
// propagation.
type PruneOptions struct {
	// PropagationPolicy is as DeleteOptions.PropagationPolicy. Default
	// (empty) background.
	PropagationPolicy metav1.DeletionPropagation
}

// Prune garbage-collects stale, typically the Diff of the previous and the
// current inventory: it deletes each of its objects that still exists and
// carries every owner label ([Owner.Labels]) with the owner's values, in
// the reverse of apply order, as Delete does. Nothing outside stale is
// touched, and an object of stale is left alone and reported Skipped when
// it is absent, excluded ([ReconcileKeySuffix]), lacks an owner label or
// carries another owner's value, so an object recreated or adopted by
// someone else survives. Each delete names the UID and resource version
// of the object checked, so an object relabelled between the check and the
// delete is checked again.
//
// Prune returns an error wrapping ErrNoOwnerName, and deletes nothing,
// when the manager's Owner has no Name; an error wrapping
// ErrInvalidPropagationPolicy for an unknown policy; otherwise the change
// set and the joined errors of the objects whose delete failed, as Delete
// does.
func (m *ResourceManager) Prune(ctx context.Context, stale Inventory, opts PruneOptions) (ChangeSet, error) {
	if m.owner.Name == "" {
		return ChangeSet{}, fmt.Errorf("prune: %w", ErrNoOwnerName)
	}
	ids := stale.IDs()
	items := make([]*deleteItem, len(ids))
	for i, id := range ids {
		items[i] = &deleteItem{target: waitTarget{id: id, gvk: stale.GroupVersionKind(id)}}
	}
	return m.deleteItems(ctx, "prune", items, opts.PropagationPolicy, true)
}
