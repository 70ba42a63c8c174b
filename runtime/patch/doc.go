// Package patch writes the changes a reconcile made to an object back to
// the API server: the whole status in ONE write to the status
// subresource, then metadata and spec in one JSON merge patch.
//
// Take a snapshot when the reconcile starts and patch once when it ends:
//
//	h, err := patch.NewHelper(obj, c)
//	// ... mutate obj: finalizers, conditions, status fields ...
//	err = h.Patch(ctx, obj,
//		patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition),
//		patch.WithStatusObservedGeneration())
//
// # Why one status write
//
// Every status write is an event for every watcher of the object. A
// controller that writes status piecemeal (first Ready, then the new
// artifact, then observedGeneration) lets a watcher see an intermediate
// state that never existed as a whole: Ready=True for the current
// generation next to the previous artifact, and a dependent controller or
// a `kubectl wait --for=condition=Ready` acts on the old revision. Writing
// the status once per reconcile makes every observed status a complete
// outcome, and also saves API server load and conflict retries. A write
// the server rejects (see below) changes nothing and is seen by no
// watcher: a reconcile makes at most one status change visible.
//
// # What is sent
//
// Each write is computed three ways, from the snapshot (base), the object
// passed to Patch (ours) and the freshest server copy known (theirs: the
// snapshot at first, the status write's response for the metadata write,
// the copy read after a conflict). Changes theirs already holds are not
// sent; a part with nothing left is not sent at all.
//
//   - Status fields other than conditions: the fields the reconcile
//     changed, ours win.
//   - status.conditions: owned types (see [WithOwnedConditions]) take
//     ours, including removals, keeping theirs' lastTransitionTime when
//     the status is the same; other types take theirs when theirs changed
//     since the snapshot, ours otherwise. A merge patch replaces the whole
//     list, so a write that changes conditions carries theirs'
//     resourceVersion; a write that changes only other status fields
//     carries none and cannot conflict.
//   - Labels and annotations: key by key (a removed key is deleted alone,
//     even when it was the last one), without a lock.
//   - Finalizers: a set. The finalizers the reconcile added or removed
//     are applied to theirs' list, and the write carries theirs'
//     resourceVersion, so another actor's finalizer is never lost.
//   - Any other list (ownerReferences, lists in spec) is replaced whole,
//     so it is written with theirs' resourceVersion, and only while theirs
//     still holds the snapshot's list: when another writer changed it too,
//     Patch returns a Conflict error without retrying.
//   - Other spec and metadata fields: the fields the reconcile changed,
//     ours win, without a lock.
//
// The status goes first: removing the last finalizer may end the object.
//
// # Conflicts and their cost
//
// A write carrying a resourceVersion fails with 409 Conflict when the
// object changed since the copy it was computed against. The helper then
// reads the object (the status write through a GET of the status
// subresource, which no client cache serves; the metadata write through a
// GET of an unstructured object, which controller-runtime's client sends
// to the API server unless its cache was built with Unstructured: true),
// computes the write again against that copy and sends what is left. Up
// to 6 attempts are made, with backoff (about 1.2s in all); after that the
// Conflict is returned.
//
// In requests, for one Patch call:
//
//   - Nothing changed: none.
//   - Snapshot current (the common case: a reconcile triggered by the
//     informer sees the controller's previous write): one status PATCH
//     and one metadata PATCH at most, each only when its part changed.
//   - Snapshot stale (a cached read lagging, another actor writing): each
//     locked part costs one PATCH rejected with 409 and one GET more, and
//     its second PATCH is sent only if the server does not already hold
//     the outcome. A reconcile reading through the manager's cache
//     therefore sends at most 2 status PATCHes (one rejected) and 1 GET
//     for the status, and the same for metadata, unless yet another
//     write lands between the GET and the PATCH.
//
// # Concurrency
//
// A [Helper] is serial: it belongs to one reconcile of one object and must
// not be used from several goroutines. Several helpers for different
// objects may run concurrently.
//
// # Errors
//
// [NewHelper] returns [ErrNilArgument] for a nil object or client, and a
// wrapped conversion error for an object that cannot be converted to
// unstructured form. [Helper.Patch] returns the API server's errors
// wrapped with the part that failed (test them with apierrors.IsNotFound,
// apierrors.IsConflict when the attempts ran out or a list was changed by
// both sides, ...).
package patch
