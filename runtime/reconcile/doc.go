// Package reconcile turns the outcome of a reconcile into what
// controller-runtime expects: jittered requeue intervals, errors marked
// terminal or retryable and mapped to a ctrl.Result, and a finalizer step.
//
// The call a newcomer needs ends every Reconcile:
//
//	if err != nil {
//		return reconcile.ResultFor(err)
//	}
//	return reconcile.RequeueAfter(obj.Spec.Interval.Duration, 10), nil
//
// # Errors
//
// [Terminal] wraps an error in controller-runtime's TerminalError, which
// the controller logs and does not retry until the object changes.
// [Retryable] wraps an error in a [*RetryableError] that asks for a requeue
// after a fixed delay instead of the rate limiter's backoff. [ResultFor]
// maps both, and any other error, to a (ctrl.Result, error) pair.
// [Finalize] returns the cleanup function's error wrapped.
//
// # Concurrency
//
// The functions hold no state; [RequeueAfter] uses math/rand/v2's
// goroutine-safe top-level functions.
package reconcile
