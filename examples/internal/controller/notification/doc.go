// Package notification is the example notification controller: it
// forwards the events Sluice controllers post (the standard payload of
// package github.com/sluice-dev/sluice/apis/event, sent by
// github.com/sluice-dev/sluice/runtime/events) to webhooks, and turns signed
// webhook calls into reconcile requests.
//
// Two HTTP handlers do the work, and three reconcilers keep the
// notification.sluice.dev/v1 objects' status:
//
//   - [EventServer] receives events, selects the Alerts that match each one
//     (event source kind, name or "*" with labels, namespace, severity,
//     inclusion and exclusion expressions), drops identical events within
//     a rate-limit window, and posts the event to each Alert's Provider:
//     plain JSON (generic, with an optional bearer token) or signed with an
//     X-Signature HMAC (generic-hmac), with bounded retries and timeouts.
//   - [ReceiverServer] answers POSTs to a Receiver's status.webhookPath:
//     once the call is authenticated (generic: the path is the secret;
//     generic-hmac: X-Signature; github: X-Hub-Signature-256, and "ping"
//     events are answered without effect) it sets
//     reconcile.sluice.dev/requestedAt on every target with a merge patch,
//     whatever the target's kind.
//   - [ProviderReconciler], [AlertReconciler] and [ReceiverReconciler] check
//     the objects and report kstatus conditions; the ReceiverReconciler
//     publishes status.webhookPath, [WebhookPath] of the token, name and
//     namespace. Providers and Receivers are reconciled again as soon as
//     a Secret they refer to is created, changed or deleted (a
//     metadata-only watch of Secrets and field indexes on the referenced
//     names: Secret data is never cached, the reconcilers read it
//     uncached through their APIReader), and Alerts as soon as their
//     Provider changes.
//
// A main wires the handlers as manager runnables, for example with
// sigs.k8s.io/controller-runtime/pkg/manager.Server:
//
//	mgr.Add(&manager.Server{Name: "events", Server: &http.Server{Addr: ":9090",
//		Handler: &notification.EventServer{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader()}}})
//
// # Security
//
// Tokens, HMAC keys and Provider addresses from Secrets never appear in
// logs, errors or answers; addresses are quoted without user information,
// query and fragment. Signatures are compared in constant time. Request
// bodies are bounded ([DefaultMaxEventBytes], [DefaultMaxReceiverBytes]).
// Plain http:// Provider addresses are refused unless allowed.
//
// # Concurrency
//
// The servers and reconcilers are safe for concurrent use once their
// fields are set; the fields must not change afterwards.
//
// # Errors
//
// [DecodeEvent] returns errors wrapping [ErrPayloadTooLarge] or
// [ErrInvalidPayload]; [VerifySignature] and [Authenticate] errors wrapping
// [ErrMissingSignature], [ErrMalformedSignature] or [ErrSignatureMismatch];
// [EventServer.Dispatch] errors wrapping [ErrDelivery]; configuration
// checks errors wrapping [ErrInvalidConfig], [ErrInvalidSecret] or
// [ErrInsecureAddress].
package notification
