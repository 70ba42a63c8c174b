package notification_test

import (
	"encoding/pem"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// promptly bounds how long a Secret change may take to reach the objects
// that use it. It is half the reconcilers' 30 s retry delay and far below
// the intervals of the objects below (a minute for Providers and Alerts, an
// hour for Receivers): only the Secret watch can meet it.
const promptly = 15 * time.Second

// waitFailing waits until obj is not Ready and being retried with a
// message containing msg.
func waitFailing(t *testing.T, obj interface {
	client.Object
	meta.ObjectWithConditions
}, msg string) {
	t.Helper()
	NewWithT(t).Eventually(func(g Gomega) {
		g.Expect(env.Client().Get(t.Context(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		g.Expect(obj).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithMessage(msg))
		g.Expect(obj).To(matchers.BeReconciling())
		g.Expect(conditions.CheckKstatus(obj)).To(Succeed())
	}, eventually, poll).Should(Succeed())
}

// readyWithin waits at most d for obj to be Ready for its generation.
func readyWithin(t *testing.T, d time.Duration, obj interface {
	client.Object
	meta.ObjectWithConditions
}, why string) {
	t.Helper()
	g := NewWithT(t)
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client().Get(t.Context(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		g.Expect(obj).To(matchers.BeReady().ForCurrentGeneration())
	}, d, poll).Should(Succeed(), why)
	g.Expect(conditions.CheckKstatus(obj)).To(Succeed())
}

func TestProviderSecretsAreWatched(t *testing.T) {
	needReconcilers(t)
	g := NewWithT(t)
	ctx := t.Context()
	ns := namespace(t)
	c := env.Client()

	// A Provider and an Alert created before the Provider's Secret fail
	// and wait for their retry.
	token := &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "token"},
		Spec: notificationv1.ProviderSpec{
			Type:      notificationv1.ProviderGenericHMAC,
			Address:   "https://example.invalid/hook",
			SecretRef: &meta.LocalObjectReference{Name: "hmac"},
		},
	}
	g.Expect(c.Create(ctx, token)).To(Succeed())
	alert := &notificationv1.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alert"},
		Spec: notificationv1.AlertSpec{
			ProviderRef:  meta.LocalObjectReference{Name: "token"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "ConfigMap", Name: "*"}},
		},
	}
	g.Expect(c.Create(ctx, alert)).To(Succeed())
	waitFailing(t, token, "not found")
	waitFailing(t, alert, "not ready")

	// Creating the Secret makes both Ready at once.
	createSecret(ctx, t, ns, "hmac", map[string]string{notificationv1.ProviderTokenKey: "key"})
	readyWithin(t, promptly, token, "the provider must see its new secret before its retry")
	readyWithin(t, promptly, alert, "the alert must follow its provider")

	// Deleting it makes both not Ready at once.
	g.Expect(c.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hmac"}})).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(token), token)).To(Succeed())
		g.Expect(token).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithMessage("not found"))
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(alert), alert)).To(Succeed())
		g.Expect(alert).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.DependencyNotReadyReason))
	}, promptly, poll).Should(Succeed(), "a deleted secret must be noticed before the provider's interval")

	// A CA Secret (spec.certSecretRef) is watched too: fixing its content
	// makes the Provider Ready at once.
	sink := newSink(t, nil, true)
	createSecret(ctx, t, ns, "ca", map[string]string{notificationv1.CACertKey: "not a certificate"})
	tls := &notificationv1.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "tls"},
		Spec: notificationv1.ProviderSpec{
			Address:       sink.srv.URL,
			CertSecretRef: &meta.LocalObjectReference{Name: "ca"},
		},
	}
	g.Expect(c.Create(ctx, tls)).To(Succeed())
	waitFailing(t, tls, "no PEM certificate")
	var ca corev1.Secret
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "ca"}, &ca)).To(Succeed())
	ca.Data[notificationv1.CACertKey] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sink.srv.Certificate().Raw})
	g.Expect(c.Update(ctx, &ca)).To(Succeed())
	readyWithin(t, promptly, tls, "the provider must see its fixed CA secret before its retry")
}

func TestReceiverSecretIsWatched(t *testing.T) {
	needReconcilers(t)
	g := NewWithT(t)
	ctx := t.Context()
	ns := namespace(t)
	c := env.Client()

	// A Receiver with a long interval, created before its Secret.
	rcv := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"},
		Spec: notificationv1.ReceiverSpec{
			Type:      notificationv1.ReceiverGeneric,
			Resources: []notificationv1.CrossNamespaceObjectReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "settings"}},
			SecretRef: meta.LocalObjectReference{Name: "hook-token"},
			Interval:  &metav1.Duration{Duration: time.Hour},
		},
	}
	g.Expect(c.Create(ctx, rcv)).To(Succeed())
	waitFailing(t, rcv, "not found")
	g.Expect(rcv.Status.WebhookPath).To(BeEmpty())

	createSecret(ctx, t, ns, "hook-token", map[string]string{notificationv1.ReceiverTokenKey: "first"})
	readyWithin(t, promptly, rcv, "the receiver must see its new secret before its retry")
	g.Expect(rcv.Status.WebhookPath).To(Equal(notification.WebhookPath("first", "hook", ns)))

	// Rotating the token publishes the new path at once.
	var s corev1.Secret
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "hook-token"}, &s)).To(Succeed())
	s.Data[notificationv1.ReceiverTokenKey] = []byte("second")
	g.Expect(c.Update(ctx, &s)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(rcv), rcv)).To(Succeed())
		g.Expect(rcv.Status.WebhookPath).To(Equal(notification.WebhookPath("second", "hook", ns)))
		g.Expect(rcv).To(matchers.BeReady().ForCurrentGeneration())
	}, promptly, poll).Should(Succeed(), "a rotated token must change the webhook path before the receiver's interval")
}
