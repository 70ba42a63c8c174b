package ssa

import "fmt"

// Option configures a ResourceManager.
type Option func(*options)

// options holds every ResourceManager setting with its default.
type options struct {
	// concurrency bounds the requests in flight at once.
	concurrency int
}

func defaultOptions() options {
	return options{concurrency: 8}
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
