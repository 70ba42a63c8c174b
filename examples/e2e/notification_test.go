package e2e_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	gomegatypes "github.com/onsi/gomega/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/testenv/matchers"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
)

// TestNotificationChain runs the notification controller beside the source
// and applier controllers, which post their events to its EventServer:
//
//   - an Alert selecting the GitRepository and Sync events of the namespace
//     forwards them, HMAC-signed, to a generic-hmac Provider whose webhook
//     checks every signature with the Provider's token;
//   - with an interval of one hour nothing polls Git, so a new commit lands
//     only when a correctly signed call to a generic-hmac Receiver's webhook
//     requests a reconcile of the GitRepository: the source fetches the
//     commit, the Sync applies it, and the webhook is told. A badly signed
//     call is refused and changes nothing.
func TestNotificationChain(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c := k8sClient()
	ns := createNamespace(t, "notify")

	const providerToken, receiverToken = "provider-hmac-key", "receiver-hmac-key"
	hook := newSignedWebhook(t, []byte(providerToken))
	notifier := startNotificationController(t, ns)

	srv, err := gitserver.New(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })
	g.Expect(srv.StartHTTP(ctx)).To(Succeed())
	first, err := srv.CreateRepo(ctx, "app.git", gitserver.RepoOptions{Files: map[string]string{
		"deploy/settings.yaml": configMap("", "settings", map[string]string{"greeting": "hello"}),
	}})
	g.Expect(err).NotTo(HaveOccurred())

	startControllers(t, controllerOptions{namespaces: []string{ns}, events: notifier.eventsURL})

	// The notification objects come first: an event that no Alert selects
	// is dropped.
	for _, secret := range []*corev1.Secret{
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "provider-token"},
			StringData: map[string]string{notificationv1.ProviderTokenKey: providerToken},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "receiver-token"},
			StringData: map[string]string{notificationv1.ReceiverTokenKey: receiverToken},
		},
	} {
		g.Expect(c.Create(ctx, secret)).To(Succeed())
	}
	provider := &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "webhook"},
		Spec: notificationv1.ProviderSpec{
			Type:      notificationv1.ProviderGenericHMAC,
			Address:   hook.srv.URL,
			SecretRef: &meta.LocalObjectReference{Name: "provider-token"},
		},
	}
	g.Expect(c.Create(ctx, provider)).To(Succeed())
	alert := &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "deployments"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:   meta.LocalObjectReference{Name: provider.Name},
			EventSeverity: notificationv1.SeverityInfo,
			EventSources: []notificationv1.CrossNamespaceObjectReference{
				{Kind: sourcev1.GitRepositoryKind, Name: "*"},
				{Kind: applyv1.SyncKind, Name: "*"},
			},
			EventMetadata: map[string]string{"cluster": "e2e"},
		},
	}
	g.Expect(c.Create(ctx, alert)).To(Succeed())
	eventuallyReady(t, provider)
	eventuallyReady(t, alert)

	hour := metav1.Duration{Duration: time.Hour}
	repo := newGitRepository(ns, "app", srv.HTTPURL("app.git"), func(r *sourcev1.GitRepository) { r.Spec.Interval = hour })
	g.Expect(c.Create(ctx, repo)).To(Succeed())
	apply := newSync(ns, "app", repo.Name, "./deploy", func(s *applyv1.Sync) { s.Spec.Interval = hour })
	g.Expect(c.Create(ctx, apply)).To(Succeed())

	firstRev := "main@sha1:" + first
	eventuallyArtifact(t, repo, firstRev)
	eventuallyApplied(t, apply, firstRev)
	g.Eventually(func(g Gomega) {
		g.Expect(getConfigMap(g, ns, "settings").Data).To(HaveKeyWithValue("greeting", "hello"))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	t.Run("the webhook gets the signed events of the source and the applier", func(t *testing.T) {
		hook.eventually(t, newRevisionEvent(ns, repo.Name, firstRev))
		hook.eventually(t, appliedEvent(ns, apply.Name, firstRev, "created"))
	})

	receiver := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "git-push"},
		Spec: notificationv1.ReceiverSpec{
			Type: notificationv1.ReceiverGenericHMAC,
			Resources: []notificationv1.CrossNamespaceObjectReference{{
				APIVersion: sourcev1.GroupVersion().String(), Kind: sourcev1.GitRepositoryKind, Name: repo.Name,
			}},
			SecretRef: meta.LocalObjectReference{Name: "receiver-token"},
		},
	}
	g.Expect(c.Create(ctx, receiver)).To(Succeed())
	eventuallyReady(t, receiver)
	g.Expect(receiver.Status.WebhookPath).To(Equal(notification.WebhookPath(receiverToken, receiver.Name, ns)))
	webhookURL := notifier.receiverURL + receiver.Status.WebhookPath

	second, err := srv.Commit(ctx, "app.git", gitserver.CommitOptions{
		Message: "say hi",
		Files:   map[string]string{"deploy/settings.yaml": configMap("", "settings", map[string]string{"greeting": "hi"})},
	})
	g.Expect(err).NotTo(HaveOccurred())
	secondRev := "main@sha1:" + second
	payload := []byte(`{"ref":"refs/heads/main","after":"` + second + `"}`)

	t.Run("a badly signed call is refused and requests nothing", func(t *testing.T) {
		g := NewWithT(t)
		for name, signature := range map[string]string{
			"wrong key":         sign([]byte(providerToken), payload),
			"other body":        sign([]byte(receiverToken), []byte(`{"ref":"refs/heads/other"}`)),
			"missing signature": "",
		} {
			g.Expect(postWebhook(t, webhookURL, payload, signature)).To(Equal(http.StatusUnauthorized), name)
		}
		// Nothing happens on its own either: the interval is one hour.
		g.Consistently(func(g Gomega) {
			got := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: repo.Name}}
			get(g, got)
			g.Expect(got.GetAnnotations()).NotTo(HaveKey(meta.ReconcileRequestAnnotation))
			g.Expect(got.Status.Artifact).NotTo(BeNil())
			g.Expect(got.Status.Artifact.Revision).To(Equal(firstRev))
		}).WithTimeout(2 * time.Second).WithPolling(poll).Should(Succeed())
		g.Expect(hook.received()).NotTo(ContainElement(HaveField("Metadata", HaveKeyWithValue(event.MetadataRevision, secondRev))))
	})

	t.Run("a signed call lands the new commit", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(postWebhook(t, webhookURL, payload, sign([]byte(receiverToken), payload))).To(Equal(http.StatusOK))

		requested := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: repo.Name}}
		get(g, requested)
		token, ok := meta.ReconcileAnnotationValue(requested.GetAnnotations())
		g.Expect(ok).To(BeTrue(), "the receiver annotates the GitRepository")
		_, err := time.Parse(time.RFC3339Nano, token)
		g.Expect(err).NotTo(HaveOccurred(), "the request token is a time")

		got := eventuallyArtifact(t, repo, secondRev)
		g.Expect(got.Status.GetLastHandledReconcileRequest()).To(Equal(token))
		eventuallyApplied(t, apply, secondRev)
		g.Eventually(func(g Gomega) {
			g.Expect(getConfigMap(g, ns, "settings").Data).To(HaveKeyWithValue("greeting", "hi"))
		}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

		hook.eventually(t, newRevisionEvent(ns, repo.Name, secondRev))
		hook.eventually(t, appliedEvent(ns, apply.Name, secondRev, "configured"))
	})

	g.Expect(hook.refused()).To(BeZero(), "every call to the Provider's webhook is signed with its token")
}

// notificationEndpoints are the addresses of a notification controller.
type notificationEndpoints struct {
	// eventsURL is the EventServer, where controllers post events.
	eventsURL string
	// receiverURL is the ReceiverServer, without a webhook path.
	receiverURL string
}

// startNotificationController runs, until the test ends, the notification
// controller as its main function wires it, in a manager of its own whose
// cache sees namespaces: the Provider, Alert and Receiver reconcilers, and
// the EventServer and ReceiverServer on loopback httptest servers. The
// Providers may use plain HTTP (the test's webhook is an httptest server).
func startNotificationController(t *testing.T, namespaces ...string) notificationEndpoints {
	t.Helper()
	g := NewWithT(t)
	mgr := newManager(t, namespaces)
	c, reader := mgr.GetClient(), mgr.GetAPIReader()
	for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{
		&notification.ProviderReconciler{Client: c, APIReader: reader, AllowInsecureHTTP: true},
		&notification.AlertReconciler{Client: c},
		&notification.ReceiverReconciler{Client: c, APIReader: reader},
	} {
		g.Expect(r.SetupWithManager(mgr)).To(Succeed())
	}
	logger := mgr.GetLogger()
	events := httptest.NewServer(&notification.EventServer{
		Client: c, APIReader: reader, AllowInsecureHTTP: true, Logger: logger.WithName("events"),
	})
	t.Cleanup(events.Close)
	receivers := httptest.NewServer(&notification.ReceiverServer{
		Client: c, APIReader: reader, Logger: logger.WithName("receiver"),
	})
	t.Cleanup(receivers.Close)
	runManager(t, mgr)
	return notificationEndpoints{eventsURL: events.URL, receiverURL: receivers.URL}
}

// signedWebhook stands for the notification service behind a generic-hmac
// Provider: it accepts a call only when its X-Signature is the HMAC-SHA256
// of the body under key, computed here independently of the notification
// package, and records the events it accepted.
type signedWebhook struct {
	srv *httptest.Server
	key []byte

	mu       sync.Mutex
	events   []event.Event
	rejected int
}

// newSignedWebhook starts a signedWebhook with key until the test ends.
func newSignedWebhook(t *testing.T, key []byte) *signedWebhook {
	t.Helper()
	h := &signedWebhook{key: key}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *signedWebhook) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Method != http.MethodPost || !hmac.Equal([]byte(r.Header.Get(notification.SignatureHeader)), []byte(sign(h.key, body))) {
		h.rejected++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var e event.Event
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		h.rejected++
		http.Error(w, "not an event", http.StatusBadRequest)
		return
	}
	h.events = append(h.events, e)
	w.WriteHeader(http.StatusNoContent)
}

// received returns the events accepted so far.
func (h *signedWebhook) received() []event.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]event.Event(nil), h.events...)
}

// refused returns how many calls were refused.
func (h *signedWebhook) refused() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rejected
}

// eventually waits until the webhook accepted an event that matches m.
func (h *signedWebhook) eventually(t *testing.T, m gomegatypes.GomegaMatcher) {
	t.Helper()
	NewWithT(t).Eventually(h.received).WithTimeout(waitTimeout).WithPolling(poll).Should(ContainElement(m))
}

// newRevisionEvent matches the source controller's event for a new
// artifact of the GitRepository ns/name at revision, as forwarded through
// the test's Alert.
func newRevisionEvent(ns, name, revision string) gomegatypes.GomegaMatcher {
	return And(
		forwardedEvent(sourcev1.GroupVersion().String(), sourcev1.GitRepositoryKind, ns, name, revision),
		HaveField("ReportingController", "source-controller"),
		HaveField("Reason", meta.SucceededReason),
		HaveField("Message", ContainSubstring(revision)),
	)
}

// appliedEvent matches the applier's event for applying revision with the
// Sync ns/name, in which the ConfigMap was action ("created",
// "configured"), as forwarded through the test's Alert.
func appliedEvent(ns, name, revision, action string) gomegatypes.GomegaMatcher {
	return And(
		forwardedEvent(applyv1.GroupVersion().String(), applyv1.SyncKind, ns, name, revision),
		HaveField("ReportingController", "applier-controller"),
		HaveField("Reason", meta.ReconciliationSucceededReason),
		HaveField("Message", And(HavePrefix("applied revision "+revision), ContainSubstring("\nConfigMap/"+ns+"/settings "+action))),
	)
}

// forwardedEvent matches an info event about the object, with revision
// and the Alert's metadata.
func forwardedEvent(apiVersion, kind, ns, name, revision string) gomegatypes.GomegaMatcher {
	return And(
		HaveField("InvolvedObject.APIVersion", apiVersion),
		HaveField("InvolvedObject.Kind", kind),
		HaveField("InvolvedObject.Namespace", ns),
		HaveField("InvolvedObject.Name", name),
		HaveField("Severity", event.SeverityInfo),
		HaveField("Metadata", And(
			HaveKeyWithValue(event.MetadataRevision, revision),
			HaveKeyWithValue("cluster", "e2e"),
		)),
	)
}

// sign returns the X-Signature value of body under key: "sha256=" and the
// hex HMAC-SHA256.
func sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// postWebhook posts body to url with signature as X-Signature (none when
// empty) and returns the answer's status.
func postWebhook(t *testing.T, url string, body []byte, signature string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(notification.SignatureHeader, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post to the receiver: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// eventuallyReady waits until obj is Ready for its current generation and
// kstatus-conformant, and leaves its last state in obj.
func eventuallyReady(t *testing.T, obj interface {
	client.Object
	meta.ObjectWithConditions
}) {
	t.Helper()
	NewWithT(t).Eventually(func(g Gomega) {
		get(g, obj)
		g.Expect(obj).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(conditions.CheckKstatus(obj)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}
