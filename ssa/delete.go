package ssa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa/manifest"
)

// ErrInvalidPropagationPolicy means a delete or prune was asked for a
// propagation policy other than Background, Foreground or Orphan.
var ErrInvalidPropagationPolicy = errors.New("invalid propagation policy")

// deleteAttempts bounds how often a delete re-reads an object that changed
// between the read and the delete.
const deleteAttempts = 3

// DeleteOptions configure one Delete. The zero value deletes with
// background propagation.
type DeleteOptions struct {
	// PropagationPolicy says what happens to the objects' dependents:
	// metav1.DeletePropagationBackground (the garbage collector deletes
	// them after the object), DeletePropagationForeground (the object
	// stays until they are gone) or DeletePropagationOrphan (they are
	// kept). Default (empty) background.
	PropagationPolicy metav1.DeletionPropagation
}

// Delete deletes objs, in the reverse of apply order ([manifest.Rank]:
// webhooks first, Namespaces and CustomResourceDefinitions last), with
// objects of equal rank deleted concurrently. It does not wait for the
// objects to be gone; see WaitForTermination.
//
// An object is left alone and reported Skipped when it is absent, or when
// it or its live copy carries the exclusion setting ([ReconcileKeySuffix]
// with the value [ReconcileDisabled], as annotation or label). Every
// delete names the UID and resource version of the object the manager
// read, so an object changed in between is read and checked again rather
// than deleted blindly. Objects not Skipped are Deleted, including
// objects already terminating.
//
// The change set lists the objects handled, in the order they were
// deleted; objects whose delete failed are left out of it and named in
// the error, which joins one error per object. Delete returns an error
// wrapping ErrInvalidPropagationPolicy, and no change set, for an unknown
// policy.
func (m *ResourceManager) Delete(ctx context.Context, objs []*unstructured.Unstructured, opts DeleteOptions) (ChangeSet, error) {
	items := make([]*deleteItem, len(objs))
	for i, o := range objs {
		items[i] = &deleteItem{target: waitTarget{id: IDOf(o), gvk: o.GroupVersionKind()}, desired: o}
	}
	return m.deleteItems(ctx, "delete", items, opts.PropagationPolicy, false)
}

// deleteItem is one object through a delete or prune.
type deleteItem struct {
	target  waitTarget
	desired *unstructured.Unstructured // nil for prune
	action  Action
	err     error
}

// deleteItems deletes items in reverse apply order; owned restricts it to
// objects that carry the owner labels.
func (m *ResourceManager) deleteItems(ctx context.Context, op string, items []*deleteItem, policy metav1.DeletionPropagation, owned bool) (ChangeSet, error) {
	switch policy {
	case "":
		policy = metav1.DeletePropagationBackground
	case metav1.DeletePropagationBackground, metav1.DeletePropagationForeground, metav1.DeletePropagationOrphan:
	default:
		return ChangeSet{}, fmt.Errorf("%s: %w: %q", op, ErrInvalidPropagationPolicy, policy)
	}
	// Drop repeated ids, keeping the first.
	seen := map[ObjectID]bool{}
	items = slices.DeleteFunc(items, func(it *deleteItem) bool {
		dup := seen[it.target.id]
		seen[it.target.id] = true
		return dup
	})
	slices.SortStableFunc(items, func(a, b *deleteItem) int {
		return manifest.Rank(b.target.id.GroupKind()) - manifest.Rank(a.target.id.GroupKind())
	})

	var cs ChangeSet
	var errs []error
	for start := 0; start < len(items); {
		rank := manifest.Rank(items[start].target.id.GroupKind())
		end := start + 1
		for end < len(items) && manifest.Rank(items[end].target.id.GroupKind()) == rank {
			end++
		}
		stage := items[start:end]
		m.boundedEach(len(stage), func(i int) {
			it := stage[i]
			it.action, it.err = m.deleteOne(ctx, it, policy, owned)
		})
		for _, it := range stage {
			if it.err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", op, it.target.id.Display(), it.err))
				continue
			}
			cs.Add(Change{ID: it.target.id, Action: it.action})
		}
		start = end
	}
	return cs, errors.Join(errs...)
}

// boundedEach calls fn for 0..n-1 with at most the manager's concurrency
// calls in flight, and returns when all have returned.
func (m *ResourceManager) boundedEach(n int, fn func(i int)) {
	sem := make(chan struct{}, m.opts.concurrency)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

// deleteOne deletes one object unless it is absent, excluded or, with
// owned, not carrying the owner labels.
func (m *ResourceManager) deleteOne(ctx context.Context, it *deleteItem, policy metav1.DeletionPropagation, owned bool) (Action, error) {
	if it.desired != nil && m.excluded(it.desired) {
		return Skipped, nil
	}
	mapping, err := m.restMapping(it.target.gvk)
	if meta.IsNoMatchError(err) {
		return Skipped, nil // the kind is not served, so the object is gone
	}
	if err != nil {
		return Unknown, err
	}
	key := client.ObjectKey{Namespace: it.target.id.Namespace, Name: it.target.id.Name}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		key.Namespace = ""
	}
	for range deleteAttempts {
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(mapping.GroupVersionKind)
		if err := m.client.Get(ctx, key, live); err != nil {
			if apierrors.IsNotFound(err) {
				return Skipped, nil
			}
			return Unknown, err
		}
		if m.excluded(live) || (owned && !m.ownedBy(live)) {
			return Skipped, nil
		}
		if live.GetDeletionTimestamp() != nil {
			return Deleted, nil
		}
		uid, rv := live.GetUID(), live.GetResourceVersion()
		err := m.client.Delete(ctx, live, client.PropagationPolicy(policy),
			client.Preconditions{UID: &uid, ResourceVersion: &rv})
		switch {
		case err == nil:
			return Deleted, nil
		case apierrors.IsNotFound(err):
			return Skipped, nil
		case apierrors.IsConflict(err):
			continue // changed since read: read and check again
		default:
			return Unknown, err
		}
	}
	return Unknown, fmt.Errorf("object changed during each of %d attempts", deleteAttempts)
}

// excluded reports whether obj carries the exclusion setting.
func (m *ResourceManager) excluded(obj *unstructured.Unstructured) bool {
	return setting(obj.GetAnnotations(), obj.GetLabels(), m.owner.ReconcileKey()) == ReconcileDisabled
}

// ownedBy reports whether obj carries every owner label with the owner's
// value. It is false for an owner without a name.
func (m *ResourceManager) ownedBy(obj *unstructured.Unstructured) bool {
	want := m.owner.Labels()
	if len(want) == 0 {
		return false
	}
	have := obj.GetLabels()
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
