package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kevents "k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/reference"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
)

// Recorder records events about objects as Kubernetes events and posts
// them to a notification receiver. Create it with [NewRecorder]; it is safe
// for concurrent use.
type Recorder struct {
	k8s        kevents.EventRecorder
	controller string
	webhook    *url.URL // nil when no receiver is configured
	address    string   // webhook without secrets, for errors
	opts       options
}

// NewRecorder returns a Recorder that emits Kubernetes events through k8s
// (for example mgr.GetEventRecorder(controller)) and, with [WithWebhook],
// posts info and error events to a receiver. A nil k8s records no
// Kubernetes events. controller is the payload's reportingController.
//
// It returns an error wrapping [ErrInvalidAddress] or [ErrInsecureAddress]
// for an unusable webhook address, and [ErrInvalidOption] for an empty
// controller or an out-of-range option.
func NewRecorder(k8s kevents.EventRecorder, controller string, opts ...Option) (*Recorder, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case controller == "":
		return nil, fmt.Errorf("new event recorder: empty controller name: %w", ErrInvalidOption)
	case o.maxAttempts < 1:
		return nil, fmt.Errorf("new event recorder: max attempts %d below 1: %w", o.maxAttempts, ErrInvalidOption)
	case o.backoff < 0, o.attemptTimeout <= 0, o.timeout <= 0:
		return nil, fmt.Errorf("new event recorder: backoff and timeouts must be positive: %w", ErrInvalidOption)
	case o.httpClient == nil, o.schemeSet && o.scheme == nil:
		return nil, fmt.Errorf("new event recorder: nil HTTP client or scheme: %w", ErrInvalidOption)
	}
	if !o.schemeSet {
		s, err := newDefaultScheme()
		if err != nil {
			return nil, fmt.Errorf("new event recorder: %w", err)
		}
		o.scheme = s
	}
	r := &Recorder{k8s: k8s, controller: controller, opts: o}
	if o.webhook == "" {
		return r, nil
	}
	u, err := url.Parse(o.webhook)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		// The address is not quoted: it may hold credentials.
		return nil, fmt.Errorf("new event recorder: webhook must be an absolute http(s) URL: %w", ErrInvalidAddress)
	}
	r.webhook = u
	r.address = redact(u)
	if u.Scheme == "http" && !o.allowInsecure {
		return nil, fmt.Errorf("new event recorder: webhook %s: %w (use WithInsecureHTTP)", r.address, ErrInsecureAddress)
	}
	return r, nil
}

// redact returns u without user information, query and fragment.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	c.RawFragment = ""
	return c.String()
}

// Event records an event about obj.
//
// Every event becomes a Kubernetes event: type Warning for SeverityError,
// Normal otherwise, with reason as both its reason and its action, and the
// message truncated to the 1 KiB the API accepts. client-go sends it
// asynchronously, so it is not confirmed here.
//
// With a webhook configured, info and error events are also posted as an
// [event.Event] whose metadata holds obj's annotations that start with the
// annotation prefix, overridden by metadata; the message is truncated to
// event.MaxMessageSize. Trace events are never posted. A failed post is
// retried on network errors, timeouts and 408, 429 and 5xx answers, with
// exponential backoff, within the per-attempt and total timeouts and ctx.
//
// It returns an error wrapping a [*event.ValidationError] for an unknown
// severity, an empty reason or message or a blank metadata key, an error
// when the scheme (see [WithScheme]) does not know obj's kind, and a
// [*DeliveryError] when the post failed.
func (r *Recorder) Event(ctx context.Context, obj client.Object, severity, reason, message string, metadata map[string]string) error {
	if !event.ValidSeverity(severity) {
		return fmt.Errorf("record event: %w", &event.ValidationError{Field: "severity", Value: severity, Err: event.ErrInvalidSeverity})
	}
	if reason == "" {
		return fmt.Errorf("record event: %w", &event.ValidationError{Field: "reason", Err: event.ErrMissingField})
	}
	if message == "" {
		return fmt.Errorf("record event: %w", &event.ValidationError{Field: "message", Err: event.ErrMissingField})
	}
	if r.k8s != nil {
		eventType := corev1.EventTypeNormal
		if severity == event.SeverityError {
			eventType = corev1.EventTypeWarning
		}
		r.k8s.Eventf(obj, nil, eventType, reason, reason, "%s", event.Truncate(message, kubernetesNoteLimit))
	}
	if r.webhook == nil || severity == event.SeverityTrace {
		return nil
	}
	payload, err := r.payload(obj, severity, reason, message, metadata)
	if err != nil {
		return fmt.Errorf("post event: %w", err)
	}
	return r.post(ctx, payload)
}

func (r *Recorder) payload(obj client.Object, severity, reason, message string, metadata map[string]string) ([]byte, error) {
	ref, err := reference.GetReference(r.opts.scheme, obj)
	if err != nil {
		return nil, fmt.Errorf("reference %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	meta := event.MetadataFromAnnotations(obj.GetAnnotations(), r.opts.prefix)
	if len(metadata) > 0 {
		if meta == nil {
			meta = make(map[string]string, len(metadata))
		}
		maps.Copy(meta, metadata)
	}
	e := event.Event{
		InvolvedObject:      *ref,
		Severity:            severity,
		Timestamp:           metav1.Now(),
		Message:             event.Truncate(message, event.MaxMessageSize),
		Reason:              reason,
		Metadata:            meta,
		ReportingController: r.controller,
		ReportingInstance:   r.opts.instance,
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// post sends body to the webhook with retries.
func (r *Recorder) post(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, r.opts.timeout)
	defer cancel()
	wait := r.opts.backoff
	for attempt := 1; ; attempt++ {
		status, err := r.attempt(ctx, body)
		if err == nil {
			return nil
		}
		if attempt >= r.opts.maxAttempts || permanentStatus(status) || ctx.Err() != nil {
			return &DeliveryError{Address: r.address, Attempts: attempt, StatusCode: status, Err: err}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return &DeliveryError{
				Address: r.address, Attempts: attempt, StatusCode: status,
				Err: fmt.Errorf("wait before retry: %w (last failure: %w)", ctx.Err(), err),
			}
		case <-timer.C:
		}
		wait = min(wait*2, r.opts.maxBackoff)
	}
}

// attempt posts body once and returns the response status, 0 when none
// came.
func (r *Recorder) attempt(ctx context.Context, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.webhook.String(), bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sluice-events")
	resp, err := r.opts.httpClient.Do(req)
	if err != nil {
		// *url.Error quotes the full URL; keep only the cause.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return 0, fmt.Errorf("send: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	// Drain a bounded amount so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, fmt.Errorf("receiver answered %d: %w", resp.StatusCode, ErrUnexpectedStatus)
}
