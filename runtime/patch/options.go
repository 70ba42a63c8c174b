package patch

// Option configures one [Helper.Patch] call.
type Option func(*options)

type options struct {
	owned              map[string]bool
	observedGeneration bool
}

func newOptions(opts []Option) options {
	o := options{owned: map[string]bool{}}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithOwnedConditions names the condition types this controller owns:
// on a conflict the helper's values win for them, even over a newer
// server copy (keeping the server's lastTransitionTime when the status is
// the same, as the condition did not transition), and a condition the
// reconcile removed stays removed.
// Default: no owned types, so a condition the server's copy changed since
// the snapshot keeps the server's value.
func WithOwnedConditions(types ...string) Option {
	return func(o *options) {
		for _, t := range types {
			o.owned[t] = true
		}
	}
}

// WithStatusObservedGeneration sets status.observedGeneration to the
// object's metadata.generation (as passed to Patch) in the status write,
// so it is recorded only if the write succeeds. The object's type must
// have a status.observedGeneration field, else the API server drops it.
// Default: status.observedGeneration is written only when the reconcile
// changed it.
func WithStatusObservedGeneration() Option {
	return func(o *options) { o.observedGeneration = true }
}
