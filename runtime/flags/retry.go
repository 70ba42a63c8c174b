package flags

import (
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Requeue defaults.
const (
	// DefaultMinRetryDelay is the default of --min-retry-delay.
	DefaultMinRetryDelay = 750 * time.Millisecond
	// DefaultMaxRetryDelay is the default of --max-retry-delay.
	DefaultMaxRetryDelay = 15 * time.Minute
)

// RetryOptions configures how failed reconciliations are requeued: an
// exponential back-off per object from MinRetryDelay, doubling up to
// MaxRetryDelay.
type RetryOptions struct {
	// MinRetryDelay is the first delay. Default [DefaultMinRetryDelay].
	MinRetryDelay time.Duration
	// MaxRetryDelay caps the delay. Default [DefaultMaxRetryDelay].
	MaxRetryDelay time.Duration
}

// BindFlags registers --min-retry-delay and --max-retry-delay on fs and sets
// the defaults.
func (o *RetryOptions) BindFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&o.MinRetryDelay, "min-retry-delay", DefaultMinRetryDelay, "first delay before retrying a failed reconciliation")
	fs.DurationVar(&o.MaxRetryDelay, "max-retry-delay", DefaultMaxRetryDelay, "longest delay between retries of a failed reconciliation")
}

// Validate returns an [*InvalidValueError] unless 0 < MinRetryDelay <=
// MaxRetryDelay.
func (o RetryOptions) Validate() error {
	if o.MinRetryDelay <= 0 {
		return &InvalidValueError{Flag: "min-retry-delay", Value: o.MinRetryDelay.String(), Reason: "want a positive duration"}
	}
	if o.MaxRetryDelay < o.MinRetryDelay {
		return &InvalidValueError{Flag: "max-retry-delay", Value: o.MaxRetryDelay.String(), Reason: "want at least the minimum retry delay"}
	}
	return nil
}

// RateLimiter returns a per-item exponential rate limiter for a
// controller's work queue, for controller.Options.RateLimiter.
func (o RetryOptions) RateLimiter() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](o.MinRetryDelay, o.MaxRetryDelay)
}
