// Package patch writes the changes a reconcile made to an object back to
// the API server: metadata and spec in one JSON merge patch, and the whole
// status in ONE write to the status subresource.
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
// outcome, and also saves API server load and conflict retries.
//
// # Conflicts
//
// The status write carries the resourceVersion of the snapshot, so it
// fails with a conflict when someone else wrote the object meanwhile.
// The helper then reads the object again and merges the conditions three
// ways (snapshot, ours, theirs): for the types given to
// [WithOwnedConditions] ours always win, including removals; for other
// types the server's copy wins when it changed since the snapshot, and
// ours win otherwise. Other status fields the reconcile changed are
// re-applied as a merge patch on top of the server's copy. The write is
// retried a few times with a short backoff.
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
// apierrors.IsConflict when the retries ran out, ...).
package patch
