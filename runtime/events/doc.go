// Package events records what a Sluice controller does to an object, both
// as a Kubernetes event and, when a notification receiver is configured, as
// an HTTP POST of the standard payload of package
// github.com/sluice-dev/sluice/apis/event.
//
// A controller creates one [Recorder] at start-up and calls
// [Recorder.Event] from its reconciler:
//
//	rec, err := events.NewRecorder(mgr.GetEventRecorder("my-controller"), "my-controller",
//		events.WithWebhook(addr), events.WithScheme(mgr.GetScheme()))
//	...
//	if err := rec.Event(ctx, obj, event.SeverityInfo, meta.ReconciliationSucceededReason,
//		"applied revision "+rev, map[string]string{event.MetadataRevision: rev}); err != nil {
//		log.Error(err, "notification not delivered")
//	}
//
// # Delivery
//
// Trace events become Kubernetes events only. Info and error events are
// also posted, as JSON, to the webhook address. The post is retried on
// network errors, timeouts, and 408, 429 and 5xx answers, up to
// [DefaultMaxAttempts] attempts with exponential backoff starting at
// [DefaultBackoff]; each attempt is bounded by [DefaultAttemptTimeout] and
// the whole delivery by [DefaultTimeout] and by ctx ([WithRetries] and
// [WithTimeouts] change them). Other 4xx answers are final. The object's
// annotations that start with event.MetadataPrefix ([WithAnnotationPrefix])
// travel as metadata, so users can tag notifications per object.
//
// # Security
//
// The webhook address must use https:// unless [WithInsecureHTTP] is given:
// payloads and addresses often carry tokens, and plain HTTP is acceptable
// only inside a trusted network or in tests. A controller whose
// --insecure-allow-http flag sets that policy passes
// flags.InsecureHTTPOptions.EventsOptions() (package runtime/flags), which
// gives WithInsecureHTTP exactly when the flag allows plain HTTP; that
// package's InsecureHTTPOptions.Validate checks the proxies in the
// environment, which the default HTTP client uses. This package does not
// import runtime/flags. Errors quote the address
// without its user information, query and fragment, and never include the
// receiver's response body. Redirects are not followed by the default HTTP
// client.
//
// # Scheme
//
// Without [WithScheme], each Recorder builds its own scheme of client-go's
// built-in kinds; it never reads client-go's global, mutable scheme.Scheme.
// Pass the manager's scheme for custom resources.
//
// # Concurrency
//
// A Recorder is safe for concurrent use. Event blocks until the post
// succeeded or failed; Kubernetes events are sent asynchronously by
// client-go.
//
// # Errors
//
// [NewRecorder] returns errors wrapping [ErrInvalidAddress],
// [ErrInsecureAddress] or [ErrInvalidOption]. [Recorder.Event] returns a
// wrapped *event.ValidationError for an unusable event, an error when the
// scheme does not know the object's kind, and a
// [*DeliveryError] when the receiver could not be reached; DeliveryError
// wraps [ErrUnexpectedStatus] or the context or network error of the last
// attempt and reports the attempt count.
package events
