package ssa

import (
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Option configures a ResourceManager.
type Option func(*options)

// options holds every ResourceManager setting with its default.
type options struct {
	// concurrency bounds the requests in flight at once.
	concurrency int
	// takeOver lists the field managers whose fields the manager adopts.
	takeOver []string
	// watcher watches objects for Wait; nil means the manager's client
	// when it can watch, else polling.
	watcher client.WithWatch
}

func defaultOptions() options {
	return options{concurrency: 8, takeOver: []string{KubectlClientSideApplyManager, BeforeFirstApplyManager}}
}

func (o *options) validate() error {
	if o.concurrency < 1 {
		return fmt.Errorf("concurrency %d: want at least 1", o.concurrency)
	}
	return nil
}

// WithConcurrency bounds how many requests the manager has in flight at
// once. Default 8. The client's own rate limits apply on top.
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = n } }

// WithTakeOverManagers adds field managers whose fields the manager takes
// over before it applies, such as the name of a controller the manager
// replaces: their managedFields entries on the main resource are merged
// into the manager's own, so fields they set that the manager does not
// apply are removed. Default: kubectl's client-side apply
// ([KubectlClientSideApplyManager]) and [BeforeFirstApplyManager], which
// are always included.
func WithTakeOverManagers(managers ...string) Option {
	return func(o *options) { o.takeOver = append(o.takeOver, managers...) }
}

// WithWatchClient sets the client Wait and WaitForTermination watch
// objects through, such as one from client.NewWithWatch. Default: the
// manager's own client when it implements client.WithWatch, else none, and
// the waits poll every WaitOptions.Interval.
func WithWatchClient(c client.WithWatch) Option { return func(o *options) { o.watcher = c } }
