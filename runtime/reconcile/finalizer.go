package reconcile

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
)

// Reasons of the Ready condition [Finalize] sets.
const (
	// FinalizedReason means the cleanup succeeded and the finalizer was
	// removed; the object is going away.
	FinalizedReason = meta.FinalizedReason

	// FinalizationFailedReason means the cleanup failed; the finalizer stays
	// and the cleanup is retried.
	FinalizationFailedReason = meta.FinalizationFailedReason
)

// FinalizerResult says what [Finalize] did and how the reconcile goes on.
type FinalizerResult int

const (
	// Continue means the object is not being deleted and carries the finalizer
	// (added if it was missing); reconcile it as usual.
	Continue FinalizerResult = iota
	// Finalized means the object is being deleted and no longer carries the
	// finalizer (the cleanup succeeded, or the finalizer was already
	// gone); patch it and stop.
	Finalized
	// CleanupFailed means the object is being deleted and the cleanup failed;
	// the finalizer stays. Patch it and return the error.
	CleanupFailed
)

// String returns the result's name, such as "Finalized".
func (r FinalizerResult) String() string {
	switch r {
	case Continue:
		return "Continue"
	case Finalized:
		return "Finalized"
	case CleanupFailed:
		return "CleanupFailed"
	default:
		return fmt.Sprintf("FinalizerResult(%d)", int(r))
	}
}

// Finalize is the finalizer step at the start of a reconcile. It changes
// obj in memory only; persist it with the patch helper.
//
// When obj is not being deleted it adds finalizer (if missing) and returns
// [Continue]. When obj is being deleted and carries finalizer, it runs
// cleanup (nil means nothing to clean up): on success it removes the
// finalizer, marks Ready False with [FinalizedReason] and returns
// [Finalized]; on failure it marks Ready False with
// [FinalizationFailedReason] and the error, and returns [CleanupFailed]
// with the error wrapped as "finalize <namespace>/<name>: <err>". When obj
// is being deleted without the finalizer it returns [Finalized] and
// changes nothing.
func Finalize(ctx context.Context, obj meta.ObjectWithConditionsSetter, finalizer string, cleanup func(context.Context) error) (FinalizerResult, error) {
	if obj.GetDeletionTimestamp().IsZero() {
		controllerutil.AddFinalizer(obj, finalizer)
		return Continue, nil
	}
	if !controllerutil.ContainsFinalizer(obj, finalizer) {
		return Finalized, nil
	}
	if cleanup != nil {
		if err := cleanup(ctx); err != nil {
			conditions.MarkFalse(obj, meta.ReadyCondition, FinalizationFailedReason, "cleanup failed: %v", err)
			return CleanupFailed, fmt.Errorf("finalize %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
		}
	}
	controllerutil.RemoveFinalizer(obj, finalizer)
	conditions.Delete(obj, meta.ReconcilingCondition)
	conditions.MarkFalse(obj, meta.ReadyCondition, FinalizedReason, "cleanup done; the object is being deleted")
	return Finalized, nil
}
