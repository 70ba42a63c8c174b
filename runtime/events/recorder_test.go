package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	kevents "k8s.io/client-go/tools/events"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/runtime/events"
)

// receiver is a notification receiver that answers with the given
// statuses in turn (the last one repeats) and keeps what it received.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	requests []*http.Request
	events   []event.Event
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var e event.Event
		decodeErr := json.NewDecoder(req.Body).Decode(&e)
		r.mu.Lock()
		r.requests = append(r.requests, req)
		r.events = append(r.events, e)
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		if decodeErr != nil {
			status = http.StatusBadRequest
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Event(nil), r.events...)
}

func configMap(annotations map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "app", Namespace: "apps", UID: "uid-1", Annotations: annotations,
	}}
}

// fast are options that keep retry tests quick.
func fast(maxAttempts int) []events.Option {
	return []events.Option{
		events.WithInsecureHTTP(),
		events.WithRetries(maxAttempts, 10*time.Millisecond),
		events.WithTimeouts(2*time.Second, 10*time.Second),
	}
}

func newWebhookRecorder(t *testing.T, address string, opts ...events.Option) *events.Recorder {
	t.Helper()
	rec, err := events.NewRecorder(nil, "test-controller", append([]events.Option{events.WithWebhook(address)}, opts...)...)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return rec
}

func TestEventPostsPayload(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t)
	rec := newWebhookRecorder(t, recv.URL, append(fast(1), events.WithReportingInstance("pod-0"))...)
	obj := configMap(map[string]string{
		event.MetadataPrefix + "team": "payments",
		event.MetadataRevision:        "from-annotation",
		"other.example.com/skip":      "x",
	})

	before := time.Now().Add(-time.Second)
	err := rec.Event(t.Context(), obj, event.SeverityError, "ApplyFailed", "apply failed: boom",
		map[string]string{event.MetadataRevision: "main@sha1:abc"})
	g.Expect(err).NotTo(HaveOccurred())

	got := recv.received()
	g.Expect(got).To(HaveLen(1))
	e := got[0]
	g.Expect(e.Validate()).To(Succeed())
	g.Expect(e.InvolvedObject).To(Equal(corev1.ObjectReference{
		Kind: "ConfigMap", APIVersion: "v1", Namespace: "apps", Name: "app", UID: "uid-1",
	}))
	g.Expect(e.Severity).To(Equal(event.SeverityError))
	g.Expect(e.Reason).To(Equal("ApplyFailed"))
	g.Expect(e.Message).To(Equal("apply failed: boom"))
	g.Expect(e.ReportingController).To(Equal("test-controller"))
	g.Expect(e.ReportingInstance).To(Equal("pod-0"))
	g.Expect(e.Timestamp.Time).To(BeTemporally(">=", before))
	g.Expect(e.Metadata).To(Equal(map[string]string{
		event.MetadataPrefix + "team": "payments",
		event.MetadataRevision:        "main@sha1:abc", // the caller's value wins
	}))
	g.Expect(recv.requests[0].Method).To(Equal(http.MethodPost))
	g.Expect(recv.requests[0].Header.Get("Content-Type")).To(Equal("application/json"))
}

func TestEventTruncatesLongMessages(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t)
	rec := newWebhookRecorder(t, recv.URL, fast(1)...)
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Big", strings.Repeat("é", event.MaxMessageSize), nil)
	g.Expect(err).NotTo(HaveOccurred())
	got := recv.received()
	g.Expect(got).To(HaveLen(1))
	g.Expect(len(got[0].Message)).To(BeNumerically("<=", event.MaxMessageSize))
	g.Expect(got[0].Message).To(HaveSuffix(event.TruncationMarker))
	g.Expect(got[0].Metadata).To(BeNil())
}

func TestEventRetriesOnServerErrors(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t, http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusTooManyRequests, http.StatusAccepted)
	rec := newWebhookRecorder(t, recv.URL, fast(4)...)
	g.Expect(rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)).To(Succeed())
	g.Expect(recv.received()).To(HaveLen(4))
}

func TestEventDeliveryErrorAfterMaxAttempts(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t, http.StatusBadGateway)
	u, err := url.Parse(recv.URL)
	g.Expect(err).NotTo(HaveOccurred())
	u.User = url.UserPassword("user", "s3cret-pass")
	u.Path = "/hook/team"
	u.RawQuery = "token=s3cret-token"
	rec := newWebhookRecorder(t, u.String(), fast(3)...)

	err = rec.Event(t.Context(), configMap(nil), event.SeverityError, "Failed", "boom", nil)
	var derr *events.DeliveryError
	g.Expect(errors.As(err, &derr)).To(BeTrue(), "got %v", err)
	g.Expect(derr.Attempts).To(Equal(3))
	g.Expect(derr.StatusCode).To(Equal(http.StatusBadGateway))
	g.Expect(derr.Retryable()).To(BeTrue())
	g.Expect(err).To(MatchError(events.ErrUnexpectedStatus))
	g.Expect(derr.Address).To(Equal(recv.URL + "/hook/team"))
	g.Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
	g.Expect(err.Error()).NotTo(ContainSubstring("user"))
	g.Expect(recv.received()).To(HaveLen(3))
}

func TestEventClientErrorIsNotRetried(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t, http.StatusUnauthorized)
	rec := newWebhookRecorder(t, recv.URL, fast(5)...)
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	var derr *events.DeliveryError
	g.Expect(errors.As(err, &derr)).To(BeTrue(), "got %v", err)
	g.Expect(derr.Attempts).To(Equal(1))
	g.Expect(derr.Retryable()).To(BeFalse())
	g.Expect(recv.received()).To(HaveLen(1))
}

func TestEventRedirectIsNotFollowed(t *testing.T) {
	g := NewWithT(t)
	target := newReceiver(t)
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	rec := newWebhookRecorder(t, redirect.URL, fast(1)...)
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	g.Expect(err).To(MatchError(events.ErrUnexpectedStatus))
	g.Expect(target.received()).To(BeEmpty())
}

func TestEventUnreachableReceiver(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t)
	address := recv.URL
	recv.Close()
	rec := newWebhookRecorder(t, address, fast(2)...)
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	var derr *events.DeliveryError
	g.Expect(errors.As(err, &derr)).To(BeTrue(), "got %v", err)
	g.Expect(derr.Attempts).To(Equal(2))
	g.Expect(derr.StatusCode).To(BeZero())
}

// slowReceiver answers only when the request is abandoned.
func slowReceiver(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Reading the body lets the server notice the client hanging up.
		_, _ = io.Copy(io.Discard, req.Body)
		select {
		case <-req.Context().Done():
		case <-time.After(10 * time.Second):
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEventAttemptTimeout(t *testing.T) {
	g := NewWithT(t)
	srv := slowReceiver(t)
	rec := newWebhookRecorder(t, srv.URL, events.WithInsecureHTTP(),
		events.WithRetries(2, 10*time.Millisecond), events.WithTimeouts(200*time.Millisecond, 5*time.Second))
	start := time.Now()
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	g.Expect(time.Since(start)).To(BeNumerically("<", 3*time.Second))
	var derr *events.DeliveryError
	g.Expect(errors.As(err, &derr)).To(BeTrue(), "got %v", err)
	g.Expect(derr.Attempts).To(Equal(2))
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
}

func TestEventHonoursContextDeadline(t *testing.T) {
	g := NewWithT(t)
	srv := slowReceiver(t)
	rec := newWebhookRecorder(t, srv.URL, events.WithInsecureHTTP(),
		events.WithRetries(10, time.Second), events.WithTimeouts(5*time.Second, 5*time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := rec.Event(ctx, configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	g.Expect(time.Since(start)).To(BeNumerically("<", 3*time.Second))
	var derr *events.DeliveryError
	g.Expect(errors.As(err, &derr)).To(BeTrue(), "got %v", err)
	g.Expect(derr.Attempts).To(Equal(1))
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
}

func TestEventTotalTimeoutDuringBackoff(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t, http.StatusInternalServerError)
	rec := newWebhookRecorder(t, recv.URL, events.WithInsecureHTTP(),
		events.WithRetries(10, 5*time.Second), events.WithTimeouts(time.Second, 300*time.Millisecond))
	start := time.Now()
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	g.Expect(time.Since(start)).To(BeNumerically("<", 3*time.Second))
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
	g.Expect(err).To(MatchError(events.ErrUnexpectedStatus))
	g.Expect(recv.received()).To(HaveLen(1))
}

func TestEventTraceIsNotPosted(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t)
	rec := newWebhookRecorder(t, recv.URL, fast(1)...)
	g.Expect(rec.Event(t.Context(), configMap(nil), event.SeverityTrace, "Progressing", "step 1", nil)).To(Succeed())
	g.Expect(rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "done", nil)).To(Succeed())
	got := recv.received()
	g.Expect(got).To(HaveLen(1))
	g.Expect(got[0].Reason).To(Equal("Synced"))
}

func TestEventHTTPS(t *testing.T) {
	g := NewWithT(t)
	received := make(chan event.Event, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		var e event.Event
		_ = json.NewDecoder(req.Body).Decode(&e)
		received <- e
	}))
	t.Cleanup(srv.Close)
	// No WithInsecureHTTP: https is the default that needs no opt-in.
	rec := newWebhookRecorder(t, srv.URL, events.WithHTTPClient(srv.Client()))
	g.Expect(rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "done", nil)).To(Succeed())
	g.Expect(<-received).To(HaveField("Reason", "Synced"))
}

func TestEventInvalidInput(t *testing.T) {
	recv := newReceiver(t)
	rec := newWebhookRecorder(t, recv.URL, fast(1)...)
	tests := []struct {
		name                      string
		severity, reason, message string
		want                      error
	}{
		{"unknown severity", "warning", "R", "m", event.ErrInvalidSeverity},
		{"no reason", event.SeverityInfo, "", "m", event.ErrMissingField},
		{"no message", event.SeverityInfo, "R", "", event.ErrMissingField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := rec.Event(t.Context(), configMap(nil), tt.severity, tt.reason, tt.message, nil)
			g.Expect(err).To(MatchError(tt.want))
			var verr *event.ValidationError
			g.Expect(errors.As(err, &verr)).To(BeTrue())
		})
	}
	t.Run("blank metadata key", func(t *testing.T) {
		g := NewWithT(t)
		err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "R", "m", map[string]string{"": "v"})
		g.Expect(err).To(MatchError(event.ErrInvalidMetadata))
	})
	NewWithT(t).Expect(recv.received()).To(BeEmpty())
}

func TestEventUnknownKind(t *testing.T) {
	g := NewWithT(t)
	recv := newReceiver(t)
	// An empty scheme cannot name the kind of a typed object without TypeMeta.
	rec := newWebhookRecorder(t, recv.URL, append(fast(1), events.WithScheme(runtime.NewScheme()))...)
	err := rec.Event(t.Context(), configMap(nil), event.SeverityInfo, "Synced", "ok", nil)
	g.Expect(err).To(MatchError(ContainSubstring("post event: reference apps/app")))
	g.Expect(recv.received()).To(BeEmpty())
}

func TestNewRecorderErrors(t *testing.T) {
	tests := []struct {
		name       string
		controller string
		opts       []events.Option
		want       error
	}{
		{"plain http without opt-in", "c", []events.Option{events.WithWebhook("http://user:pw@receiver.example/hook?token=x")}, events.ErrInsecureAddress},
		{"relative address", "c", []events.Option{events.WithWebhook("/hook")}, events.ErrInvalidAddress},
		{"other scheme", "c", []events.Option{events.WithWebhook("ftp://receiver.example/")}, events.ErrInvalidAddress},
		{"unparsable", "c", []events.Option{events.WithWebhook("https://bad host/%zz")}, events.ErrInvalidAddress},
		{"no controller", "", nil, events.ErrInvalidOption},
		{"zero attempts", "c", []events.Option{events.WithRetries(0, time.Second)}, events.ErrInvalidOption},
		{"zero timeout", "c", []events.Option{events.WithTimeouts(0, time.Second)}, events.ErrInvalidOption},
		{"nil client", "c", []events.Option{events.WithHTTPClient(nil)}, events.ErrInvalidOption},
		{"nil scheme", "c", []events.Option{events.WithScheme(nil)}, events.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			rec, err := events.NewRecorder(nil, tt.controller, tt.opts...)
			g.Expect(err).To(MatchError(tt.want))
			g.Expect(rec).To(BeNil())
			g.Expect(err.Error()).NotTo(ContainSubstring("pw"))
			g.Expect(err.Error()).NotTo(ContainSubstring("token"))
		})
	}
}

// TestKubernetesEvents records events through client-go's events.k8s.io
// broadcaster against the real apiserver and finds them there.
func TestKubernetesEvents(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, "events")
	g.Expect(err).NotTo(HaveOccurred())
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns}}
	g.Expect(env.Client().Create(ctx, cm)).To(Succeed())

	cs, err := kubernetes.NewForConfig(env.Config())
	g.Expect(err).NotTo(HaveOccurred())
	broadcaster := kevents.NewBroadcaster(&kevents.EventSinkImpl{Interface: cs.EventsV1()})
	g.Expect(broadcaster.StartRecordingToSinkWithContext(ctx)).To(Succeed())
	t.Cleanup(broadcaster.Shutdown)

	recv := newReceiver(t)
	// A scheme of the test's own, not client-go's global one.
	scheme := runtime.NewScheme()
	g.Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	rec, err := events.NewRecorder(broadcaster.NewRecorder(scheme, "sluice-test"), "sluice-test",
		append(fast(1), events.WithWebhook(recv.URL))...)
	g.Expect(err).NotTo(HaveOccurred())

	long := strings.Repeat("x", 3000)
	g.Expect(rec.Event(ctx, cm, event.SeverityError, "ApplyFailed", long, nil)).To(Succeed())
	g.Expect(rec.Event(ctx, cm, event.SeverityTrace, "Progressing", "step 1 of 2", nil)).To(Succeed())

	type seen struct{ Type, Reason, Note string }
	g.Eventually(func(g Gomega) []seen {
		list, err := cs.EventsV1().Events(ns).List(ctx, metav1.ListOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		var out []seen
		for _, e := range list.Items {
			if e.Regarding.Name == cm.Name && e.Regarding.Kind == "ConfigMap" && e.ReportingController == "sluice-test" {
				out = append(out, seen{e.Type, e.Reason, e.Note})
			}
		}
		return out
	}).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(ConsistOf(
		seen{corev1.EventTypeWarning, "ApplyFailed", event.Truncate(long, 1024)},
		seen{corev1.EventTypeNormal, "Progressing", "step 1 of 2"},
	))
	// Only the error event was posted; the trace stayed in the cluster.
	g.Expect(recv.received()).To(HaveLen(1))
}
