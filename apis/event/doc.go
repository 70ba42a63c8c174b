// Package event defines the payload a Sluice controller posts to a
// notification receiver when something happens to an object it reconciles.
//
// A controller builds an [Event], checks it with [Event.Validate] and sends
// it as JSON in the body of an HTTP POST; package
// github.com/sluice-dev/sluice/runtime/events does that, with retries. A
// receiver decodes the body with encoding/json and calls Validate before it
// trusts the content:
//
//	var e event.Event
//	if err := json.NewDecoder(r.Body).Decode(&e); err != nil { ... }
//	if err := e.Validate(); err != nil { ... }
//
// # Wire format
//
// The body is one JSON object, UTF-8 encoded, with these fields:
//
//	involvedObject       object, required: the object the event is about, as a
//	                     Kubernetes ObjectReference (kind, namespace, name,
//	                     uid, apiVersion, resourceVersion); kind and name are
//	                     required
//	severity             string, required: "trace", "info" or "error"
//	timestamp            string, required: RFC 3339 time, second precision
//	message              string, required: human-readable text of at most
//	                     MaxMessageSize bytes
//	reason               string, required: a short CamelCase machine-readable
//	                     cause, such as "ReconciliationSucceeded"
//	metadata             object of string to string, optional: extra facts
//	                     such as the revision; standard keys start with
//	                     MetadataPrefix
//	reportingController  string, required: the controller that emitted it
//	reportingInstance    string, optional: the replica that emitted it
//
// Fields are added only in a backward-compatible way: a receiver must ignore
// fields it does not know. testdata/event.golden.json holds a complete
// example; a test fails when the encoding changes.
//
// Trace events describe progress that is useful in a cluster's event list
// but too noisy for a notification channel: controllers record them as
// Kubernetes events and do not post them.
//
// # Errors
//
// [Event.Validate] returns a [*ValidationError] naming the offending field
// and wrapping one of [ErrMissingField], [ErrInvalidSeverity],
// [ErrMessageTooLong], [ErrInvalidMessage] or [ErrInvalidMetadata].
package event
