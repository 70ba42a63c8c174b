package notification

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
)

// Defaults of an [EventServer].
const (
	// DefaultRateLimitWindow is how long an identical event about the same
	// object is not forwarded again through the same Alert.
	DefaultRateLimitWindow = 5 * time.Minute

	// DefaultMaxEventBytes is the largest event body accepted: room for a
	// message of event.MaxMessageSize plus generous metadata.
	DefaultMaxEventBytes = 256 << 10

	// DefaultMaxAttempts is how many times an event is offered to a
	// Provider before giving up.
	DefaultMaxAttempts = 3

	// DefaultBackoff is the wait after the first failed delivery; it
	// doubles after each further failure.
	DefaultBackoff = 500 * time.Millisecond

	// DefaultProviderTimeout bounds one delivery attempt when the Provider
	// sets no spec.timeout.
	DefaultProviderTimeout = 15 * time.Second
)

// EventServer is the http.Handler that receives the events controllers
// post with runtime/events, finds the Alerts that select each event and
// forwards it to their Providers.
//
// An event is forwarded through an Alert when the Alert and its Provider
// are not suspended, the event's severity is at least the Alert's
// eventSeverity, its involved object matches one of the Alert's
// eventSources (kind, name or "*", namespace, API version and labels when
// given), its message matches one inclusionList expression (when there
// are any) and none of the exclusionList. An identical event (same object,
// severity, reason, message and metadata) that was forwarded through the
// same Alert within RateLimitWindow is dropped.
//
// The answer is 202 when every matching Alert forwarded the event (or none
// matched), 400 for a body that is not a valid event, 405 for a method
// other than POST, 413 for a body over MaxBodyBytes, 415 for a content type
// other than JSON, 500 when the Alerts could not be listed and 502 when a
// Provider did not take the event; a failed delivery is not rate-limited,
// so the sender's retry reaches it again.
//
// The fields are read-only once the server serves; it is safe for
// concurrent use.
type EventServer struct {
	// Client reads Alerts and Providers, typically the manager's cached
	// client. Required.
	Client client.Reader

	// APIReader reads Secrets and the metadata of involved objects (for
	// matchLabels), uncached so the controller does not watch every Secret.
	// Nil (the default) means Client.
	APIReader client.Reader

	// HTTPClient posts to Providers; a Provider's certSecretRef replaces
	// the TLS roots of a copy of its transport (which must then be an
	// *http.Transport). Nil (the default) means a client on a clone of
	// http.DefaultTransport that does not follow redirects.
	HTTPClient *http.Client

	// RateLimitWindow is how long an identical event is suppressed per
	// Alert after it was forwarded. Zero (the default) means
	// DefaultRateLimitWindow; negative turns rate limiting off.
	RateLimitWindow time.Duration

	// MaxAttempts is how many times an event is offered to a Provider, on
	// network errors, timeouts and 408, 429 and 5xx answers. Zero (the
	// default) means DefaultMaxAttempts.
	MaxAttempts int

	// Backoff is the wait after the first failed attempt, doubled after
	// each further failure. Zero (the default) means DefaultBackoff.
	Backoff time.Duration

	// MaxBodyBytes bounds the request body. Zero (the default) means
	// DefaultMaxEventBytes.
	MaxBodyBytes int64

	// NoCrossNamespaceRefs ignores Alert event sources in another
	// namespace than the Alert's. Default: false.
	NoCrossNamespaceRefs bool

	// AllowInsecureHTTP allows Providers with plain http:// addresses.
	// Default: false (they are refused, since events may carry tokens).
	AllowInsecureHTTP bool

	// Logger receives one line per forwarded or failed event, never with
	// secrets. The zero value discards.
	Logger logr.Logger

	mu   sync.Mutex
	seen map[string]time.Time // rate-limit key -> expiry
}

// ServeHTTP implements http.Handler.
func (s *EventServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST is allowed", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			http.Error(w, "content type must be application/json", http.StatusUnsupportedMediaType)
			return
		}
	}
	e, err := DecodeEvent(r.Body, s.maxBodyBytes())
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, ErrPayloadTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		http.Error(w, err.Error(), code)
		return
	}
	delivered, err := s.Dispatch(r.Context(), e)
	if err != nil {
		code := http.StatusBadGateway
		if !errors.Is(err, ErrDelivery) {
			code = http.StatusInternalServerError
		}
		s.Logger.Error(err, "event not forwarded", "object", objectKey(e))
		http.Error(w, err.Error(), code)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = fmt.Fprintf(w, "forwarded to %d provider(s)\n", delivered)
}

// Dispatch forwards e through every Alert that selects it and returns how
// many deliveries succeeded. It returns an error wrapping [ErrDelivery]
// (joined, one per failed Alert) when a Provider did not take the event,
// and the reader's error when the Alerts cannot be listed. Trace events
// are never forwarded.
func (s *EventServer) Dispatch(ctx context.Context, e *event.Event) (int, error) {
	if e.Severity == event.SeverityTrace {
		return 0, nil
	}
	var alerts notificationv1.AlertList
	if err := s.Client.List(ctx, &alerts); err != nil {
		return 0, fmt.Errorf("list alerts: %w", err)
	}
	labels := s.labelsOnce(ctx, e)
	delivered := 0
	var errs []error
	for i := range alerts.Items {
		a := &alerts.Items[i]
		ok, err := Matches(a, e, labels, s.NoCrossNamespaceRefs)
		if err != nil {
			s.Logger.V(1).Info("alert skipped", "alert", client.ObjectKeyFromObject(a).String(), "reason", err.Error())
			continue
		}
		if !ok {
			continue
		}
		key := rateLimitKey(a, e)
		if !s.reserve(key) {
			s.Logger.V(1).Info("event rate-limited", "alert", client.ObjectKeyFromObject(a).String(), "object", objectKey(e))
			continue
		}
		sent, err := s.forward(ctx, a, e)
		if err != nil {
			s.release(key)
			errs = append(errs, fmt.Errorf("alert %s/%s: %w", a.Namespace, a.Name, err))
			continue
		}
		if sent {
			delivered++
			s.Logger.Info("event forwarded", "alert", client.ObjectKeyFromObject(a).String(), "object", objectKey(e), "reason", e.Reason)
		} else {
			s.release(key)
		}
	}
	return delivered, errors.Join(errs...)
}

// LabelsFunc returns the labels of an event's involved object.
type LabelsFunc func() (map[string]string, error)

// Matches reports whether alert selects e: alert is not suspended, e's
// severity is at least alert's eventSeverity, e's involved object matches
// one event source (labels are asked for only when a source has
// matchLabels) and e's message passes the inclusion and exclusion lists.
// With noCrossNamespace, event sources in another namespace are ignored.
// It returns an error wrapping [ErrInvalidConfig] for an invalid regular
// expression, and the error of labels.
func Matches(alert *notificationv1.Alert, e *event.Event, labels LabelsFunc, noCrossNamespace bool) (bool, error) {
	if alert.Spec.Suspend || !severityMatches(alert.Spec.EventSeverity, e.Severity) {
		return false, nil
	}
	matched := false
	for _, src := range alert.Spec.EventSources {
		ok, err := sourceMatches(alert.Namespace, src, e, labels, noCrossNamespace)
		if err != nil {
			return false, err
		}
		if ok {
			matched = true
			break
		}
	}
	if !matched {
		return false, nil
	}
	return messageMatches(alert.Spec.InclusionList, alert.Spec.ExclusionList, e.Message)
}

func severityMatches(want notificationv1.EventSeverity, got string) bool {
	switch got {
	case event.SeverityError:
		return true
	case event.SeverityInfo:
		return want != notificationv1.SeverityError
	default:
		return false
	}
}

func sourceMatches(alertNamespace string, src notificationv1.CrossNamespaceObjectReference, e *event.Event,
	labels LabelsFunc, noCrossNamespace bool) (bool, error) {
	obj := e.InvolvedObject
	ns := src.Namespace
	if ns == "" {
		ns = alertNamespace
	}
	if noCrossNamespace && ns != alertNamespace {
		return false, nil
	}
	if src.Kind != obj.Kind || ns != obj.Namespace {
		return false, nil
	}
	if src.APIVersion != "" && src.APIVersion != obj.APIVersion {
		return false, nil
	}
	if src.Name != "*" && src.Name != obj.Name {
		return false, nil
	}
	if len(src.MatchLabels) == 0 {
		return true, nil
	}
	have, err := labels()
	if err != nil {
		return false, err
	}
	for k, v := range src.MatchLabels {
		if got, ok := have[k]; !ok || got != v {
			return false, nil
		}
	}
	return true, nil
}

// CompileRegexps compiles exprs, returning an error wrapping
// [ErrInvalidConfig] that names the first invalid one.
func CompileRegexps(field string, exprs []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(exprs))
	for i, x := range exprs {
		re, err := regexp.Compile(x)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w: %w", field, i, ErrInvalidConfig, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func messageMatches(inclusion, exclusion []string, msg string) (bool, error) {
	inc, err := CompileRegexps("inclusionList", inclusion)
	if err != nil {
		return false, err
	}
	exc, err := CompileRegexps("exclusionList", exclusion)
	if err != nil {
		return false, err
	}
	if len(inc) > 0 {
		ok := false
		for _, re := range inc {
			if re.MatchString(msg) {
				ok = true
				break
			}
		}
		if !ok {
			return false, nil
		}
	}
	for _, re := range exc {
		if re.MatchString(msg) {
			return false, nil
		}
	}
	return true, nil
}

// labelsOnce returns a LabelsFunc that reads the involved object's labels
// at most once.
func (s *EventServer) labelsOnce(ctx context.Context, e *event.Event) LabelsFunc {
	var (
		done   bool
		labels map[string]string
		err    error
	)
	return func() (map[string]string, error) {
		if done {
			return labels, err
		}
		done = true
		ref := e.InvolvedObject
		gv, perr := schema.ParseGroupVersion(ref.APIVersion)
		if perr != nil || ref.APIVersion == "" {
			err = fmt.Errorf("read labels of %s: no usable apiVersion: %w", objectKey(e), ErrInvalidPayload)
			return nil, err
		}
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(gv.WithKind(ref.Kind))
		if gerr := s.apiReader().Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, m); gerr != nil {
			err = fmt.Errorf("read labels of %s: %w", objectKey(e), gerr)
			return nil, err
		}
		labels = m.GetLabels()
		return labels, nil
	}
}

// rateLimitKey identifies an event for an Alert, without its timestamp.
func rateLimitKey(a *notificationv1.Alert, e *event.Event) string {
	o := e.InvolvedObject
	var b strings.Builder
	for _, f := range []string{a.Namespace, a.Name, o.APIVersion, o.Kind, o.Namespace, o.Name, e.Severity, e.Reason, e.Message} {
		b.WriteString(f)
		b.WriteByte(0)
	}
	keys := make([]string, 0, len(e.Metadata))
	for k := range e.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(1)
		b.WriteString(e.Metadata[k])
		b.WriteByte(0)
	}
	return b.String()
}

// reserve records key and reports whether it was free: not forwarded
// within the window. Expired keys are dropped, so the map stays bounded by
// the events of one window.
func (s *EventServer) reserve(key string) bool {
	window := s.RateLimitWindow
	if window < 0 {
		return true
	}
	if window == 0 {
		window = DefaultRateLimitWindow
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = make(map[string]time.Time)
	}
	for k, exp := range s.seen {
		if !now.Before(exp) {
			delete(s.seen, k)
		}
	}
	if _, ok := s.seen[key]; ok {
		return false
	}
	s.seen[key] = now.Add(window)
	return true
}

// release forgets key, so that a retry of an undelivered event goes
// through.
func (s *EventServer) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, key)
}

func (s *EventServer) maxBodyBytes() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	return DefaultMaxEventBytes
}

func (s *EventServer) apiReader() client.Reader {
	if s.APIReader != nil {
		return s.APIReader
	}
	return s.Client
}

func objectKey(e *event.Event) string {
	o := e.InvolvedObject
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}
