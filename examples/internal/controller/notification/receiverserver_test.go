package notification_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// receiverFixture is a namespace with GitRepositories and a ConfigMap to
// annotate, and a receiver server.
type receiverFixture struct {
	ns  string
	url string
}

func newReceiverFixture(t *testing.T) *receiverFixture {
	t.Helper()
	needReconcilers(t)
	g := NewWithT(t)
	ctx := t.Context()
	f := &receiverFixture{ns: namespace(t)}
	for name, labels := range map[string]map[string]string{
		"podinfo":   {"app": "podinfo"},
		"podinfo2":  {"app": "podinfo"},
		"unrelated": nil,
	} {
		g.Expect(env.Client().Create(ctx, &sourcev1.GitRepository{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name, Labels: labels},
			Spec: sourcev1.GitRepositorySpec{
				URL:      "https://git.example.invalid/" + name,
				Interval: metav1.Duration{Duration: time.Hour},
			},
		})).To(Succeed())
	}
	g.Expect(env.Client().Create(ctx, configMap(f.ns, "settings", nil))).To(Succeed())
	m := env.Manager()
	srv := httptest.NewServer(&notification.ReceiverServer{Client: m.GetClient(), APIReader: m.GetAPIReader()})
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// createReceiver creates a Receiver with its token Secret and waits until
// it is Ready; it returns the Receiver with its status.
func (f *receiverFixture) createReceiver(t *testing.T, name string, typ notificationv1.ReceiverType, token string,
	resources ...notificationv1.CrossNamespaceObjectReference) *notificationv1.Receiver {
	t.Helper()
	g := NewWithT(t)
	createSecret(t.Context(), t, f.ns, name, map[string]string{notificationv1.ReceiverTokenKey: token})
	r := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		Spec: notificationv1.ReceiverSpec{
			Type:      typ,
			Resources: resources,
			SecretRef: meta.LocalObjectReference{Name: name},
		},
	}
	g.Expect(env.Client().Create(t.Context(), r)).To(Succeed())
	waitReady(t, r)
	g.Expect(r.Status.WebhookPath).To(Equal(notification.WebhookPath(token, name, f.ns)))
	return r
}

// post calls the receiver server and returns the status and body.
func (f *receiverFixture) post(t *testing.T, path string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	g := NewWithT(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+path, bytes.NewReader(body))
	g.Expect(err).NotTo(HaveOccurred())
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// requested returns the reconcile-request annotation of each object, ""
// when absent.
func (f *receiverFixture) requested(t *testing.T) map[string]string {
	t.Helper()
	g := NewWithT(t)
	out := map[string]string{}
	for _, name := range []string{"podinfo", "podinfo2", "unrelated"} {
		var r sourcev1.GitRepository
		g.Expect(env.Client().Get(t.Context(), client.ObjectKey{Namespace: f.ns, Name: name}, &r)).To(Succeed())
		out[name] = r.Annotations[meta.ReconcileRequestAnnotation]
	}
	var cm corev1.ConfigMap
	g.Expect(env.Client().Get(t.Context(), client.ObjectKey{Namespace: f.ns, Name: "settings"}, &cm)).To(Succeed())
	out["settings"] = cm.Annotations[meta.ReconcileRequestAnnotation]
	return out
}

var (
	labelledRepos = notificationv1.CrossNamespaceObjectReference{
		APIVersion: sourcev1.GroupVersion().String(), Kind: sourcev1.GitRepositoryKind,
		Name: "*", MatchLabels: map[string]string{"app": "podinfo"},
	}
	settingsMap = notificationv1.CrossNamespaceObjectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "settings"}
)

func TestHMACReceiverAnnotatesTargets(t *testing.T) {
	f := newReceiverFixture(t)
	g := NewWithT(t)
	const token = "receiver-token-9a7e"
	r := f.createReceiver(t, "hmac", notificationv1.ReceiverGenericHMAC, token, labelledRepos, settingsMap)
	body := []byte(`{"ref":"refs/heads/main"}`)
	none := map[string]string{"podinfo": "", "podinfo2": "", "unrelated": "", "settings": ""}

	code, msg := f.post(t, r.Status.WebhookPath, body, nil)
	g.Expect(code).To(Equal(http.StatusUnauthorized), msg)
	g.Expect(msg).To(ContainSubstring("missing signature"))
	code, msg = f.post(t, r.Status.WebhookPath, body, map[string]string{notification.SignatureHeader: notification.Sign([]byte("wrong"), body)})
	g.Expect(code).To(Equal(http.StatusUnauthorized), msg)
	g.Expect(msg).To(ContainSubstring("does not match"))
	g.Expect(msg).NotTo(ContainSubstring(token))
	code, _ = f.post(t, r.Status.WebhookPath, body, map[string]string{notification.SignatureHeader: "sha1=abc"})
	g.Expect(code).To(Equal(http.StatusUnauthorized))
	g.Expect(f.requested(t)).To(Equal(none), "a refused call must annotate nothing")

	for _, path := range []string{notification.WebhookPath("other", "hmac", f.ns), "/hook/xyz", "/", "/hook/" + r.Status.WebhookPath} {
		code, msg = f.post(t, path, body, map[string]string{notification.SignatureHeader: notification.Sign([]byte(token), body)})
		g.Expect(code).To(Equal(http.StatusNotFound), "%s: %s", path, msg)
	}
	g.Expect(f.requested(t)).To(Equal(none))

	before := time.Now().UTC().Add(-time.Second)
	code, msg = f.post(t, r.Status.WebhookPath, body, map[string]string{notification.SignatureHeader: notification.Sign([]byte(token), body)})
	g.Expect(code).To(Equal(http.StatusOK), msg)
	g.Expect(msg).To(ContainSubstring("annotated 3 object(s)"))
	got := f.requested(t)
	g.Expect(got["unrelated"]).To(BeEmpty())
	for _, name := range []string{"podinfo", "podinfo2", "settings"} {
		at, err := time.Parse(time.RFC3339Nano, got[name])
		g.Expect(err).NotTo(HaveOccurred(), "%s: %q", name, got[name])
		g.Expect(at).To(BeTemporally(">", before))
	}
}

func TestGitHubReceiverPingAndPush(t *testing.T) {
	f := newReceiverFixture(t)
	g := NewWithT(t)
	const token = "github-secret"
	r := f.createReceiver(t, "github", notificationv1.ReceiverGitHub, token, settingsMap)
	body := []byte(`{"zen":"Keep it logically awesome."}`)
	sig := notification.Sign([]byte(token), body)

	code, msg := f.post(t, r.Status.WebhookPath, body, map[string]string{notification.GitHubEventHeader: "ping"})
	g.Expect(code).To(Equal(http.StatusUnauthorized), "a ping must be signed too: %s", msg)
	code, msg = f.post(t, r.Status.WebhookPath, body, map[string]string{
		notification.GitHubEventHeader: "ping", notification.GitHubSignatureHeader: sig,
	})
	g.Expect(code).To(Equal(http.StatusOK), msg)
	g.Expect(msg).To(ContainSubstring("pong"))
	g.Expect(f.requested(t)["settings"]).To(BeEmpty(), "a ping must not request a reconcile")

	// X-Signature is not GitHub's header.
	code, _ = f.post(t, r.Status.WebhookPath, body, map[string]string{
		notification.GitHubEventHeader: "push", notification.SignatureHeader: sig,
	})
	g.Expect(code).To(Equal(http.StatusUnauthorized))
	code, msg = f.post(t, r.Status.WebhookPath, body, map[string]string{
		notification.GitHubEventHeader: "push", notification.GitHubSignatureHeader: sig,
	})
	g.Expect(code).To(Equal(http.StatusOK), msg)
	g.Expect(f.requested(t)["settings"]).NotTo(BeEmpty())
}

func TestGenericReceiverAndFailures(t *testing.T) {
	f := newReceiverFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	r := f.createReceiver(t, "generic", notificationv1.ReceiverGeneric, "generic-token", labelledRepos)

	code, msg := f.post(t, r.Status.WebhookPath, nil, nil)
	g.Expect(code).To(Equal(http.StatusOK), msg)
	got := f.requested(t)
	g.Expect(got["podinfo"]).NotTo(BeEmpty())
	g.Expect(got["podinfo2"]).NotTo(BeEmpty())
	g.Expect(got["unrelated"]).To(BeEmpty())

	// Bodies are bounded.
	code, _ = f.post(t, r.Status.WebhookPath, bytes.Repeat([]byte("x"), notification.DefaultMaxReceiverBytes+1), nil)
	g.Expect(code).To(Equal(http.StatusRequestEntityTooLarge))

	// A new token retires the published path at once, before the
	// Receiver is reconciled again.
	var secret corev1.Secret
	g.Expect(env.Client().Get(ctx, client.ObjectKey{Namespace: f.ns, Name: "generic"}, &secret)).To(Succeed())
	secret.Data[notificationv1.ReceiverTokenKey] = []byte("rotated")
	g.Expect(env.Client().Update(ctx, &secret)).To(Succeed())
	code, msg = f.post(t, r.Status.WebhookPath, nil, nil)
	g.Expect(code).To(Equal(http.StatusNotFound), msg)

	// Other methods are refused.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url+r.Status.WebhookPath, nil)
	g.Expect(err).NotTo(HaveOccurred())
	resp, err := http.DefaultClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusMethodNotAllowed))

	// A missing named target is a server-side failure, not a success.
	broken := f.createReceiver(t, "broken", notificationv1.ReceiverGeneric, "broken-token",
		notificationv1.CrossNamespaceObjectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "absent"})
	code, msg = f.post(t, broken.Status.WebhookPath, nil, nil)
	g.Expect(code).To(Equal(http.StatusInternalServerError), msg)
	g.Expect(msg).To(ContainSubstring("absent"))

	// A suspended Receiver answers 503.
	g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(r), r)).To(Succeed())
	r.Spec.Suspend = true
	g.Expect(env.Client().Update(ctx, r)).To(Succeed())
	g.Eventually(func() int {
		code, _ := f.post(t, r.Status.WebhookPath, nil, nil)
		return code
	}, eventually, poll).Should(Equal(http.StatusServiceUnavailable))

	// A Receiver whose Secret is missing is retried, not Ready, and has no
	// path yet.
	orphan := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "orphan"},
		Spec: notificationv1.ReceiverSpec{
			Resources: []notificationv1.CrossNamespaceObjectReference{settingsMap},
			SecretRef: meta.LocalObjectReference{Name: "absent"},
		},
	}
	g.Expect(env.Client().Create(ctx, orphan)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(orphan), orphan)).To(Succeed())
		g.Expect(orphan).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.InvalidConfigReason))
		g.Expect(orphan).To(matchers.BeReconciling())
		g.Expect(conditions.CheckKstatus(orphan)).To(Succeed())
	}, eventually, poll).Should(Succeed())
	g.Expect(orphan.Status.WebhookPath).To(BeEmpty())

	// matchLabels without "*" stalls a Receiver.
	invalid := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "invalid"},
		Spec: notificationv1.ReceiverSpec{
			Resources: []notificationv1.CrossNamespaceObjectReference{{
				APIVersion: "v1", Kind: "ConfigMap", Name: "settings", MatchLabels: map[string]string{"a": "b"},
			}},
			SecretRef: meta.LocalObjectReference{Name: "generic"},
		},
	}
	g.Expect(env.Client().Create(ctx, invalid)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(invalid), invalid)).To(Succeed())
		g.Expect(invalid).To(matchers.BeStalled().WithReason(meta.InvalidConfigReason).WithMessage("matchLabels"))
		g.Expect(conditions.CheckKstatus(invalid)).To(Succeed())
	}, eventually, poll).Should(Succeed())
}

func TestReceiverRefusesCrossNamespaceTargets(t *testing.T) {
	g := NewWithT(t)
	r := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "r"},
		Spec: notificationv1.ReceiverSpec{
			Resources: []notificationv1.CrossNamespaceObjectReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "x", Namespace: "other"}},
		},
	}
	g.Expect(notification.ValidateReceiver(r, true)).To(MatchError(notification.ErrInvalidConfig))
	g.Expect(notification.ValidateReceiver(r, false)).To(Succeed())
	s := &notification.ReceiverServer{Client: env.Client(), NoCrossNamespaceRefs: true}
	n, err := s.Annotate(t.Context(), r, "now")
	g.Expect(err).To(MatchError(notification.ErrInvalidConfig))
	g.Expect(n).To(BeZero())
}
