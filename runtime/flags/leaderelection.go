package flags

import (
	"time"

	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"
)

// Leader election defaults, client-go's usual values.
const (
	// DefaultLeaseDuration is the default of --leader-election-lease-duration.
	DefaultLeaseDuration = 15 * time.Second
	// DefaultRenewDeadline is the default of --leader-election-renew-deadline.
	DefaultRenewDeadline = 10 * time.Second
	// DefaultRetryPeriod is the default of --leader-election-retry-period.
	DefaultRetryPeriod = 2 * time.Second
)

// LeaderElectionOptions configures leader election among controller
// replicas.
type LeaderElectionOptions struct {
	// Enable turns leader election on. Default false: a single replica
	// needs none.
	Enable bool
	// LeaseDuration is how long non-leaders wait before taking over a lease
	// that is not renewed. Default [DefaultLeaseDuration].
	LeaseDuration time.Duration
	// RenewDeadline is how long the leader keeps trying to renew before it
	// gives up leadership. Default [DefaultRenewDeadline].
	RenewDeadline time.Duration
	// RetryPeriod is the wait between attempts. Default [DefaultRetryPeriod].
	RetryPeriod time.Duration
}

// BindFlags registers --enable-leader-election,
// --leader-election-lease-duration, --leader-election-renew-deadline and
// --leader-election-retry-period on fs and sets the defaults.
func (o *LeaderElectionOptions) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Enable, "enable-leader-election", false, "elect a leader among replicas so that only one reconciles")
	fs.DurationVar(&o.LeaseDuration, "leader-election-lease-duration", DefaultLeaseDuration, "how long non-leaders wait before taking over an unrenewed lease")
	fs.DurationVar(&o.RenewDeadline, "leader-election-renew-deadline", DefaultRenewDeadline, "how long the leader retries renewing before giving up leadership")
	fs.DurationVar(&o.RetryPeriod, "leader-election-retry-period", DefaultRetryPeriod, "wait between leader election attempts")
}

// Validate returns an [*InvalidValueError] unless 0 < RetryPeriod <
// RenewDeadline < LeaseDuration.
func (o LeaderElectionOptions) Validate() error {
	switch {
	case o.RetryPeriod <= 0:
		return &InvalidValueError{Flag: "leader-election-retry-period", Value: o.RetryPeriod.String(), Reason: "want a positive duration"}
	case o.RenewDeadline <= o.RetryPeriod:
		return &InvalidValueError{Flag: "leader-election-renew-deadline", Value: o.RenewDeadline.String(), Reason: "want more than the retry period"}
	case o.LeaseDuration <= o.RenewDeadline:
		return &InvalidValueError{Flag: "leader-election-lease-duration", Value: o.LeaseDuration.String(), Reason: "want more than the renew deadline"}
	}
	return nil
}

// ApplyTo sets mo's leader election fields, with id as the lease name. It
// releases the lease when the manager stops, so that a rolling update hands
// over without waiting for the lease to expire.
func (o LeaderElectionOptions) ApplyTo(mo *ctrl.Options, id string) {
	mo.LeaderElection = o.Enable
	mo.LeaderElectionID = id
	mo.LeaderElectionReleaseOnCancel = true
	lease, renew, retry := o.LeaseDuration, o.RenewDeadline, o.RetryPeriod
	mo.LeaseDuration = &lease
	mo.RenewDeadline = &renew
	mo.RetryPeriod = &retry
}
