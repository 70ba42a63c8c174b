package notification_test

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// eventsFixture is a namespace with an HMAC-signed Provider, an Alert on
// the ConfigMap "app", and an event server the real recorder posts to.
type eventsFixture struct {
	ns       string
	hmacSink *sink
	server   *notification.EventServer
	url      string
	rec      *events.Recorder
}

const hmacKey = "hmac-key-4c1f"

func newEventsFixture(t *testing.T, server *notification.EventServer) *eventsFixture {
	t.Helper()
	needReconcilers(t)
	g := NewWithT(t)
	ctx := t.Context()
	f := &eventsFixture{ns: namespace(t), hmacSink: newSink(t, []byte(hmacKey), false)}
	createSecret(ctx, t, f.ns, "hmac", map[string]string{notificationv1.ProviderTokenKey: hmacKey})
	createProvider(t, &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "hmac"},
		Spec: notificationv1.ProviderSpec{
			Type:      notificationv1.ProviderGenericHMAC,
			Address:   f.hmacSink.srv.URL + "/hook",
			SecretRef: &meta.LocalObjectReference{Name: "hmac"},
		},
	})
	createAlert(t, &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "app"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:   meta.LocalObjectReference{Name: "hmac"},
			EventSources:  []notificationv1.CrossNamespaceObjectReference{{Kind: "ConfigMap", Name: "app"}},
			ExclusionList: []string{"^ignored"},
			EventMetadata: map[string]string{"cluster": "test", event.MetadataRevision: "overridden by the event"},
			Summary:       "payments",
		},
	})
	for _, name := range []string{"app", "other"} {
		g.Expect(env.Client().Create(ctx, configMap(f.ns, name, nil))).To(Succeed())
	}
	if server == nil {
		server = &notification.EventServer{}
	}
	server.Client, server.APIReader = env.Manager().GetClient(), env.Manager().GetAPIReader()
	server.AllowInsecureHTTP = true
	if server.Backoff == 0 {
		server.Backoff = 10 * time.Millisecond
	}
	f.server = server
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	rec, err := events.NewRecorder(nil, "test-controller", events.WithWebhook(srv.URL), events.WithInsecureHTTP(),
		events.WithScheme(env.Scheme()), events.WithRetries(1, time.Millisecond))
	g.Expect(err).NotTo(HaveOccurred())
	f.rec = rec
	return f
}

func configMap(ns, name string, labels map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
	}
}

func createProvider(t *testing.T, p *notificationv1.Provider) {
	t.Helper()
	g := NewWithT(t)
	g.Expect(env.Client().Create(t.Context(), p)).To(Succeed())
	waitReady(t, p)
}

func createAlert(t *testing.T, a *notificationv1.Alert) {
	t.Helper()
	g := NewWithT(t)
	g.Expect(env.Client().Create(t.Context(), a)).To(Succeed())
	waitReady(t, a)
}

// waitReady waits until obj is Ready for its generation in the manager's
// cache (what the servers read), and checks kstatus.
func waitReady(t *testing.T, obj interface {
	client.Object
	meta.ObjectWithConditions
}) {
	t.Helper()
	g := NewWithT(t)
	g.Eventually(func(g Gomega) {
		g.Expect(env.Manager().GetClient().Get(t.Context(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		g.Expect(obj).To(matchers.BeReady().ForCurrentGeneration())
	}, eventually, poll).Should(Succeed())
	g.Expect(conditions.CheckKstatus(obj)).To(Succeed())
}

func TestRecorderEventsAreFilteredAndSigned(t *testing.T) {
	f := newEventsFixture(t, &notification.EventServer{RateLimitWindow: time.Hour})
	g := NewWithT(t)
	ctx := t.Context()
	app, other := configMap(f.ns, "app", nil), configMap(f.ns, "other", nil)

	g.Expect(f.rec.Event(ctx, app, event.SeverityInfo, meta.ReconciliationSucceededReason,
		"applied revision main@sha1:1234", map[string]string{event.MetadataRevision: "main@sha1:1234"})).To(Succeed())
	got := f.hmacSink.requests()
	g.Expect(got).To(HaveLen(1))
	g.Expect(got[0].sigErr).NotTo(HaveOccurred(), "the X-Signature HMAC must verify with the provider's token")
	g.Expect(got[0].header.Get("Content-Type")).To(Equal("application/json"))
	e := got[0].event
	g.Expect(e.Validate()).To(Succeed())
	g.Expect(e.InvolvedObject.Kind).To(Equal("ConfigMap"))
	g.Expect(e.InvolvedObject.Name).To(Equal("app"))
	g.Expect(e.Reason).To(Equal(meta.ReconciliationSucceededReason))
	g.Expect(e.ReportingController).To(Equal("test-controller"))
	g.Expect(e.Metadata).To(Equal(map[string]string{
		"cluster":              "test",
		"summary":              "payments",
		event.MetadataRevision: "main@sha1:1234",
	}))

	// The same event again is rate-limited; the server still accepts it.
	g.Expect(f.rec.Event(ctx, app, event.SeverityInfo, meta.ReconciliationSucceededReason,
		"applied revision main@sha1:1234", map[string]string{event.MetadataRevision: "main@sha1:1234"})).To(Succeed())
	g.Expect(f.hmacSink.requests()).To(HaveLen(1))

	// Excluded message, another object, a trace event: not forwarded.
	g.Expect(f.rec.Event(ctx, app, event.SeverityInfo, "Progressing", "ignored: just progress", nil)).To(Succeed())
	g.Expect(f.rec.Event(ctx, other, event.SeverityError, "Failed", "other failed", nil)).To(Succeed())
	g.Expect(f.rec.Event(ctx, app, event.SeverityTrace, "Progressing", "trace", nil)).To(Succeed())
	g.Expect(f.hmacSink.requests()).To(HaveLen(1))

	// A new message about the same object goes through.
	g.Expect(f.rec.Event(ctx, app, event.SeverityError, meta.ReconciliationFailedReason, "apply failed", nil)).To(Succeed())
	got = f.hmacSink.requests()
	g.Expect(got).To(HaveLen(2))
	g.Expect(got[1].sigErr).NotTo(HaveOccurred())
	g.Expect(got[1].event.Severity).To(Equal(event.SeverityError))
	g.Expect(got[1].event.Message).To(Equal("apply failed"))
}

func TestRateLimitWindowExpires(t *testing.T) {
	f := newEventsFixture(t, &notification.EventServer{RateLimitWindow: 300 * time.Millisecond})
	g := NewWithT(t)
	ctx := t.Context()
	app := configMap(f.ns, "app", nil)
	post := func() { g.Expect(f.rec.Event(ctx, app, event.SeverityInfo, "Synced", "synced", nil)).To(Succeed()) }
	post()
	post()
	g.Expect(f.hmacSink.requests()).To(HaveLen(1))
	time.Sleep(400 * time.Millisecond)
	post()
	g.Expect(f.hmacSink.requests()).To(HaveLen(2))

	// A negative window turns rate limiting off.
	f.server.RateLimitWindow = -1
	post()
	post()
	g.Expect(f.hmacSink.requests()).To(HaveLen(4))
}

func TestFailedDeliveryIsRetriedAndNotRateLimited(t *testing.T) {
	f := newEventsFixture(t, &notification.EventServer{MaxAttempts: 2})
	g := NewWithT(t)
	ctx := t.Context()
	app := configMap(f.ns, "app", nil)
	f.hmacSink.fail.Store(true)
	err := f.rec.Event(ctx, app, event.SeverityError, "Failed", "boom", nil)
	de, ok := errors.AsType[*events.DeliveryError](err)
	g.Expect(ok).To(BeTrue(), "the recorder must see the failure: %v", err)
	g.Expect(de.StatusCode).To(Equal(http.StatusBadGateway))
	g.Expect(f.hmacSink.attempts()).To(Equal(2), "MaxAttempts bounds the retries")
	g.Expect(err.Error()).NotTo(ContainSubstring(hmacKey))

	f.hmacSink.fail.Store(false)
	g.Expect(f.rec.Event(ctx, app, event.SeverityError, "Failed", "boom", nil)).To(Succeed())
	g.Expect(f.hmacSink.requests()).To(HaveLen(1), "a failed delivery must not be rate-limited")
}

func TestLabelSelectedSourcesAndBearerTokenOverTLS(t *testing.T) {
	f := newEventsFixture(t, nil)
	g := NewWithT(t)
	ctx := t.Context()
	tlsSink := newSink(t, nil, true)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSink.srv.Certificate().Raw})
	createSecret(ctx, t, f.ns, "bearer", map[string]string{
		notificationv1.ProviderTokenKey:   "bearer-token",
		notificationv1.ProviderAddressKey: tlsSink.srv.URL + "/notify?key=in-the-query",
	})
	createSecret(ctx, t, f.ns, "ca", map[string]string{notificationv1.CACertKey: string(caPEM)})
	tlsProvider := &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "tls"},
		Spec: notificationv1.ProviderSpec{
			SecretRef:     &meta.LocalObjectReference{Name: "bearer"},
			CertSecretRef: &meta.LocalObjectReference{Name: "ca"},
		},
	}
	createProvider(t, tlsProvider)
	msg := conditions.GetMessage(tlsProvider, meta.ReadyCondition)
	g.Expect(msg).To(ContainSubstring("secret bearer"))
	g.Expect(msg).NotTo(ContainSubstring(tlsSink.srv.URL), "an address from a Secret is never shown")
	createAlert(t, &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "payments"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:   meta.LocalObjectReference{Name: "tls"},
			EventSeverity: notificationv1.SeverityError,
			EventSources: []notificationv1.CrossNamespaceObjectReference{{
				APIVersion: "v1", Kind: "ConfigMap", Name: "*", MatchLabels: map[string]string{"team": "payments"},
			}},
			InclusionList: []string{"failed"},
		},
	})
	labelled := configMap(f.ns, "labelled", map[string]string{"team": "payments"})
	g.Expect(env.Client().Create(ctx, labelled)).To(Succeed())

	g.Expect(f.rec.Event(ctx, labelled, event.SeverityInfo, "Synced", "sync failed? no, info", nil)).To(Succeed())
	g.Expect(f.rec.Event(ctx, labelled, event.SeverityError, "Failed", "health check timed out", nil)).To(Succeed())
	g.Expect(f.rec.Event(ctx, configMap(f.ns, "other", nil), event.SeverityError, "Failed", "other failed", nil)).To(Succeed())
	g.Expect(tlsSink.requests()).To(BeEmpty(), "severity, inclusion list and labels must filter")

	g.Expect(f.rec.Event(ctx, labelled, event.SeverityError, "Failed", "apply failed", nil)).To(Succeed())
	got := tlsSink.requests()
	g.Expect(got).To(HaveLen(1))
	g.Expect(got[0].header.Get("Authorization")).To(Equal("Bearer bearer-token"))
	g.Expect(got[0].event.InvolvedObject.Name).To(Equal("labelled"))
	g.Expect(got[0].header.Get(notification.SignatureHeader)).To(BeEmpty())
}

func TestPlainHTTPProviderRefusedUnlessAllowed(t *testing.T) {
	f := newEventsFixture(t, nil)
	g := NewWithT(t)
	f.server.AllowInsecureHTTP = false
	g.Expect(f.rec.Event(t.Context(), configMap(f.ns, "app", nil), event.SeverityInfo, "Synced", "synced", nil)).To(Succeed())
	g.Expect(f.hmacSink.attempts()).To(BeZero())
}

func TestInvalidRequestsAreRefused(t *testing.T) {
	f := newEventsFixture(t, nil)
	valid := event.Event{
		InvolvedObject:      corev1.ObjectReference{APIVersion: "v1", Kind: "ConfigMap", Namespace: f.ns, Name: "app"},
		Severity:            event.SeverityInfo,
		Timestamp:           metav1.Now(),
		Message:             "a message",
		Reason:              "Synced",
		ReportingController: "test",
	}
	encode := func(mutate func(*event.Event)) string {
		e := valid
		mutate(&e)
		data, _ := json.Marshal(e)
		return string(data)
	}
	for _, tc := range []struct {
		name, method, contentType, body string
		code                            int
		says                            string
	}{
		{name: "get", method: http.MethodGet, code: http.StatusMethodNotAllowed, says: "POST"},
		{name: "text", contentType: "text/plain", body: encode(func(*event.Event) {}), code: http.StatusUnsupportedMediaType},
		{name: "malformed", body: "{", code: http.StatusBadRequest, says: "invalid payload"},
		{name: "wrong type", body: `{"severity": 3}`, code: http.StatusBadRequest, says: "severity"},
		{name: "trailing data", body: encode(func(*event.Event) {}) + "{}", code: http.StatusBadRequest, says: "after the JSON object"},
		{name: "missing reason", body: encode(func(e *event.Event) { e.Reason = "" }), code: http.StatusBadRequest, says: "reason"},
		{name: "bad severity", body: encode(func(e *event.Event) { e.Severity = "fatal"; e.Message = "s3cr3t" }), code: http.StatusBadRequest, says: "severity"},
		{name: "too large", body: encode(func(e *event.Event) {
			e.Metadata = map[string]string{"x": strings.Repeat("y", notification.DefaultMaxEventBytes)}
		}),
			code: http.StatusRequestEntityTooLarge, says: "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequestWithContext(t.Context(), method, f.url, bytes.NewBufferString(tc.body))
			g.Expect(err).NotTo(HaveOccurred())
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			g.Expect(err).NotTo(HaveOccurred())
			defer func() { _ = resp.Body.Close() }()
			body, _ := io.ReadAll(resp.Body)
			g.Expect(resp.StatusCode).To(Equal(tc.code), string(body))
			g.Expect(string(body)).To(ContainSubstring(tc.says))
			g.Expect(string(body)).NotTo(ContainSubstring("s3cr3t"), "messages are never echoed")
		})
	}
	NewWithT(t).Expect(f.hmacSink.attempts()).To(BeZero())
}

func TestAlertAndProviderConditions(t *testing.T) {
	needReconcilers(t)
	g := NewWithT(t)
	ctx := t.Context()
	ns := namespace(t)
	c := env.Client()

	// An Alert whose Provider does not exist yet waits for it.
	waiting := &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "waiting"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:  meta.LocalObjectReference{Name: "later"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "ConfigMap", Name: "*"}},
		},
	}
	g.Expect(c.Create(ctx, waiting)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(waiting), waiting)).To(Succeed())
		g.Expect(waiting).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.DependencyNotReadyReason))
		g.Expect(waiting).To(matchers.BeReconciling())
		g.Expect(conditions.CheckKstatus(waiting)).To(Succeed())
	}, eventually, poll).Should(Succeed())

	// An invalid expression stalls an Alert.
	invalid := &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "invalid"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:   meta.LocalObjectReference{Name: "later"},
			EventSources:  []notificationv1.CrossNamespaceObjectReference{{Kind: "ConfigMap", Name: "*"}},
			InclusionList: []string{"("},
		},
	}
	g.Expect(c.Create(ctx, invalid)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(invalid), invalid)).To(Succeed())
		g.Expect(invalid).To(matchers.BeStalled().WithReason(meta.InvalidConfigReason).WithMessage("inclusionList[0]"))
		g.Expect(invalid).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).ForCurrentGeneration())
		g.Expect(conditions.CheckKstatus(invalid)).To(Succeed())
	}, eventually, poll).Should(Succeed())

	// A generic-hmac Provider without a Secret is stalled; one whose
	// Secret is missing is retried until the Secret appears.
	noSecret := &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "nosecret"},
		Spec:       notificationv1.ProviderSpec{Type: notificationv1.ProviderGenericHMAC, Address: "https://example.invalid/"},
	}
	g.Expect(c.Create(ctx, noSecret)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(noSecret), noSecret)).To(Succeed())
		g.Expect(noSecret).To(matchers.BeStalled().WithReason(meta.InvalidConfigReason))
		g.Expect(conditions.CheckKstatus(noSecret)).To(Succeed())
	}, eventually, poll).Should(Succeed())

	later := &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "later"},
		Spec: notificationv1.ProviderSpec{
			Address:   "https://example.invalid/",
			SecretRef: &meta.LocalObjectReference{Name: "later"},
		},
	}
	g.Expect(c.Create(ctx, later)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(later), later)).To(Succeed())
		g.Expect(later).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithMessage("not found"))
		g.Expect(later).To(matchers.BeReconciling())
		g.Expect(conditions.CheckKstatus(later)).To(Succeed())
	}, eventually, poll).Should(Succeed())

	// A reconcile request is handled while the Secret is missing; creating
	// the Secret (which is watched) makes the Provider Ready, and the Alert
	// follows its Provider.
	before := later.DeepCopy()
	later.Annotations = map[string]string{meta.ReconcileRequestAnnotation: "now"}
	g.Expect(c.Patch(ctx, later, client.MergeFrom(before))).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(later), later)).To(Succeed())
		g.Expect(later.Status.LastHandledReconcileAt).To(Equal("now"))
		g.Expect(later).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithMessage("not found"))
	}, eventually, poll).Should(Succeed())
	createSecret(ctx, t, ns, "later", map[string]string{notificationv1.ProviderTokenKey: "t"})
	waitReady(t, later)
	g.Expect(later.Status.LastHandledReconcileAt).To(Equal("now"))
	waitReady(t, waiting)
	g.Expect(conditions.GetMessage(waiting, meta.ReadyCondition)).To(ContainSubstring("later"))
}

func TestCrossNamespaceAlertRefused(t *testing.T) {
	g := NewWithT(t)
	ns := "team"
	a := &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cross"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:  meta.LocalObjectReference{Name: "p"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "ConfigMap", Name: "*", Namespace: "elsewhere"}},
		},
	}
	err := notification.ValidateAlert(a, true)
	g.Expect(err).To(MatchError(notification.ErrInvalidConfig))
	g.Expect(notification.ValidateAlert(a, false)).To(Succeed())

	e := &event.Event{
		InvolvedObject: corev1.ObjectReference{Kind: "ConfigMap", Namespace: "elsewhere", Name: "x"},
		Severity:       event.SeverityInfo, Message: "m",
	}
	noLabels := func() (map[string]string, error) { return nil, nil }
	ok, err := notification.Matches(a, e, noLabels, true)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeFalse())
	ok, err = notification.Matches(a, e, noLabels, false)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
}
