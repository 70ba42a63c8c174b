package reconcile

import (
	"math/rand/v2"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
)

// Jitter returns interval moved by a random amount of at most
// jitterPercent percent of it, up or down, so that objects created together
// do not reconcile in lockstep. jitterPercent is clamped to [0, 100];
// a non-positive interval is returned unchanged.
func Jitter(interval time.Duration, jitterPercent int) time.Duration {
	jitterPercent = min(max(jitterPercent, 0), 100)
	spread := int64(interval) * int64(jitterPercent) / 100
	if interval <= 0 || spread <= 0 {
		return interval
	}
	// Uniform in [interval-spread, interval+spread]; spreading requeues
	// needs no cryptographic randomness.
	return interval - time.Duration(spread) + time.Duration(rand.Int64N(2*spread+1)) //nolint:gosec // G404: jitter, not security
}

// RequeueAfter returns a result that requeues the object after
// [Jitter](interval, jitterPercent). A non-positive interval gives the zero
// result: no requeue.
func RequeueAfter(interval time.Duration, jitterPercent int) ctrl.Result {
	if interval <= 0 {
		return ctrl.Result{}
	}
	return ctrl.Result{RequeueAfter: Jitter(interval, jitterPercent)}
}
