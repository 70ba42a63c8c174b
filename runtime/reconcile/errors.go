package reconcile

import (
	"errors"
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	crreconcile "sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Terminal marks err as not worth retrying until the object changes, such
// as an invalid spec, by wrapping it in controller-runtime's TerminalError.
// Terminal(nil) is nil.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return crreconcile.TerminalError(err)
}

// IsTerminal reports whether err, or an error it wraps, was marked with
// [Terminal] (or controller-runtime's TerminalError).
func IsTerminal(err error) bool {
	return err != nil && errors.Is(err, crreconcile.TerminalError(nil))
}

// RetryableError is a failure to retry after a fixed delay rather than
// after the controller's rate-limited backoff, such as a dependency that is
// not ready yet.
type RetryableError struct {
	// Err is the failure.
	Err error
	// After is the delay before the retry; zero means the controller's
	// rate-limited backoff.
	After time.Duration
}

// Error returns Err's message with the delay, "retry after 30s: <err>".
func (e *RetryableError) Error() string {
	if e.After <= 0 {
		return fmt.Sprintf("retry: %v", e.Err)
	}
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

// Unwrap returns Err.
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable wraps err in a [*RetryableError] asking for a retry after the
// given delay. Retryable(nil, d) is nil.
func Retryable(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &RetryableError{Err: err, After: after}
}

// ResultFor maps the outcome of a reconcile to what a Reconcile returns:
//
//   - nil: the zero result and nil (call [RequeueAfter] for a periodic
//     requeue instead).
//   - a [Terminal] error: the zero result and the error, which
//     controller-runtime logs and does not retry.
//   - a [*RetryableError] with a positive After: RequeueAfter set to After
//     and a nil error, because controller-runtime ignores the result when
//     the error is not nil; record the failure in a condition or an event
//     before returning.
//   - any other error, including a [*RetryableError] with no delay: the
//     zero result and the error, retried with the rate limiter's backoff.
func ResultFor(err error) (ctrl.Result, error) {
	if err == nil {
		return ctrl.Result{}, nil
	}
	if IsTerminal(err) {
		return ctrl.Result{}, err
	}
	if re, ok := errors.AsType[*RetryableError](err); ok && re.After > 0 {
		return ctrl.Result{RequeueAfter: re.After}, nil
	}
	return ctrl.Result{}, err
}
