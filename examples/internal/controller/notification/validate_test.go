package notification_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
)

func TestValidateProvider(t *testing.T) {
	ctx := t.Context()
	ns := namespace(t)
	createSecret(ctx, t, ns, "plain-address", map[string]string{notificationv1.ProviderAddressKey: "http://user:pw@hooks.example/x?token=abc"})
	createSecret(ctx, t, ns, "no-token", map[string]string{"other": "x"})
	createSecret(ctx, t, ns, "bad-ca", map[string]string{notificationv1.CACertKey: "not a certificate"})
	provider := func(spec notificationv1.ProviderSpec) *notificationv1.Provider {
		return &notificationv1.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "p"}, Spec: spec}
	}
	ref := func(name string) *meta.LocalObjectReference { return &meta.LocalObjectReference{Name: name} }
	for _, tc := range []struct {
		name  string
		spec  notificationv1.ProviderSpec
		allow bool
		want  []error
	}{
		{name: "https", spec: notificationv1.ProviderSpec{Address: "https://hooks.example/x"}},
		{name: "http allowed", spec: notificationv1.ProviderSpec{Address: "http://hooks.example/x"}, allow: true},
		{name: "http refused", spec: notificationv1.ProviderSpec{Address: "http://hooks.example/x"},
			want: []error{notification.ErrInsecureAddress, notification.ErrInvalidConfig}},
		{name: "http from secret refused", spec: notificationv1.ProviderSpec{SecretRef: ref("plain-address")},
			want: []error{notification.ErrInsecureAddress, notification.ErrInvalidSecret}},
		{name: "no address", spec: notificationv1.ProviderSpec{}, want: []error{notification.ErrInvalidConfig}},
		{name: "relative address", spec: notificationv1.ProviderSpec{Address: "hooks.example/x"}, want: []error{notification.ErrInvalidConfig}},
		{name: "unknown type", spec: notificationv1.ProviderSpec{Type: "slack", Address: "https://hooks.example/x"}, want: []error{notification.ErrInvalidConfig}},
		{name: "hmac without secret", spec: notificationv1.ProviderSpec{Type: notificationv1.ProviderGenericHMAC, Address: "https://h.example"},
			want: []error{notification.ErrInvalidConfig}},
		{name: "hmac without token", spec: notificationv1.ProviderSpec{Type: notificationv1.ProviderGenericHMAC, Address: "https://h.example", SecretRef: ref("no-token")},
			want: []error{notification.ErrInvalidSecret}},
		{name: "bad CA", spec: notificationv1.ProviderSpec{Address: "https://h.example", CertSecretRef: ref("bad-ca")},
			want: []error{notification.ErrInvalidSecret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			err := notification.ValidateProvider(ctx, env.Client(), provider(tc.spec), tc.allow)
			if len(tc.want) == 0 {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			for _, w := range tc.want {
				g.Expect(err).To(MatchError(w))
			}
			g.Expect(err.Error()).NotTo(ContainSubstring("pw"))
			g.Expect(err.Error()).NotTo(ContainSubstring("token=abc"))
		})
	}
	g := NewWithT(t)
	err := notification.ValidateProvider(ctx, env.Client(), provider(notificationv1.ProviderSpec{SecretRef: ref("absent")}), false)
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
}

func TestReceiverTokenNeedsTheKey(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := namespace(t)
	createSecret(ctx, t, ns, "empty", map[string]string{"other": "x"})
	r := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "r"},
		Spec:       notificationv1.ReceiverSpec{SecretRef: meta.LocalObjectReference{Name: "empty"}},
	}
	_, err := notification.ReceiverToken(ctx, env.Client(), r)
	g.Expect(err).To(MatchError(notification.ErrInvalidSecret))
	r.Spec.SecretRef.Name = "absent"
	_, err = notification.ReceiverToken(ctx, env.Client(), r)
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue())
}

func TestAuthenticate(t *testing.T) {
	body := []byte("payload")
	key := []byte("k")
	for _, tc := range []struct {
		name   string
		typ    notificationv1.ReceiverType
		header map[string]string
		want   error
	}{
		{name: "generic needs nothing", typ: notificationv1.ReceiverGeneric},
		{name: "hmac good", typ: notificationv1.ReceiverGenericHMAC, header: map[string]string{notification.SignatureHeader: notification.Sign(key, body)}},
		{name: "hmac missing", typ: notificationv1.ReceiverGenericHMAC, want: notification.ErrMissingSignature},
		{name: "hmac malformed", typ: notificationv1.ReceiverGenericHMAC, header: map[string]string{notification.SignatureHeader: "sha256=zz"}, want: notification.ErrMalformedSignature},
		{name: "hmac other algorithm", typ: notificationv1.ReceiverGenericHMAC, header: map[string]string{notification.SignatureHeader: "sha1=" + notification.Sign(key, body)[7:]}, want: notification.ErrMalformedSignature},
		{name: "hmac wrong key", typ: notificationv1.ReceiverGenericHMAC, header: map[string]string{notification.SignatureHeader: notification.Sign([]byte("x"), body)}, want: notification.ErrSignatureMismatch},
		{name: "github good", typ: notificationv1.ReceiverGitHub, header: map[string]string{notification.GitHubSignatureHeader: notification.Sign(key, body)}},
		{name: "github missing", typ: notificationv1.ReceiverGitHub, header: map[string]string{notification.SignatureHeader: notification.Sign(key, body)}, want: notification.ErrMissingSignature},
		{name: "unknown type", typ: "gitlab", want: notification.ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			h := make(map[string][]string)
			for k, v := range tc.header {
				h[k] = []string{v}
			}
			err := notification.Authenticate(tc.typ, key, h, body)
			if tc.want == nil {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(tc.want))
		})
	}
}

func TestMatches(t *testing.T) {
	base := func() *notificationv1.Alert {
		return &notificationv1.Alert{
			ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "a"},
			Spec: notificationv1.AlertSpec{
				EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "GitRepository", Name: "podinfo"}},
			},
		}
	}
	ev := func(severity, name, message string) *event.Event {
		return &event.Event{
			InvolvedObject: corev1.ObjectReference{APIVersion: "source.sluice.dev/v1", Kind: "GitRepository", Namespace: "apps", Name: name},
			Severity:       severity, Message: message,
		}
	}
	labels := func(m map[string]string) notification.LabelsFunc {
		return func() (map[string]string, error) { return m, nil }
	}
	errLabels := errors.New("no labels")
	for _, tc := range []struct {
		name   string
		mutate func(*notificationv1.Alert)
		event  *event.Event
		labels notification.LabelsFunc
		want   bool
		err    error
	}{
		{name: "named source", event: ev(event.SeverityInfo, "podinfo", "m"), want: true},
		{name: "other name", event: ev(event.SeverityInfo, "other", "m")},
		{name: "other kind", mutate: func(a *notificationv1.Alert) { a.Spec.EventSources[0].Kind = "OCIRepository" }, event: ev(event.SeverityInfo, "podinfo", "m")},
		{name: "other namespace", mutate: func(a *notificationv1.Alert) { a.Spec.EventSources[0].Namespace = "other" }, event: ev(event.SeverityInfo, "podinfo", "m")},
		{name: "api version matches", mutate: func(a *notificationv1.Alert) { a.Spec.EventSources[0].APIVersion = "source.sluice.dev/v1" }, event: ev(event.SeverityInfo, "podinfo", "m"), want: true},
		{name: "api version differs", mutate: func(a *notificationv1.Alert) { a.Spec.EventSources[0].APIVersion = "source.sluice.dev/v2" }, event: ev(event.SeverityInfo, "podinfo", "m")},
		{name: "error-only drops info", mutate: func(a *notificationv1.Alert) { a.Spec.EventSeverity = notificationv1.SeverityError }, event: ev(event.SeverityInfo, "podinfo", "m")},
		{name: "error-only keeps error", mutate: func(a *notificationv1.Alert) { a.Spec.EventSeverity = notificationv1.SeverityError }, event: ev(event.SeverityError, "podinfo", "m"), want: true},
		{name: "trace never", event: ev(event.SeverityTrace, "podinfo", "m")},
		{name: "suspended", mutate: func(a *notificationv1.Alert) { a.Spec.Suspend = true }, event: ev(event.SeverityInfo, "podinfo", "m")},
		{name: "wildcard with labels", mutate: func(a *notificationv1.Alert) {
			a.Spec.EventSources[0] = notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "*", MatchLabels: map[string]string{"team": "a"}}
		}, event: ev(event.SeverityInfo, "any", "m"), labels: labels(map[string]string{"team": "a", "x": "y"}), want: true},
		{name: "wildcard labels differ", mutate: func(a *notificationv1.Alert) {
			a.Spec.EventSources[0] = notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "*", MatchLabels: map[string]string{"team": "a"}}
		}, event: ev(event.SeverityInfo, "any", "m"), labels: labels(map[string]string{"team": "b"})},
		{name: "labels unreadable", mutate: func(a *notificationv1.Alert) {
			a.Spec.EventSources[0] = notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "*", MatchLabels: map[string]string{"team": "a"}}
		}, event: ev(event.SeverityInfo, "any", "m"), labels: func() (map[string]string, error) { return nil, errLabels }, err: errLabels},
		{name: "included", mutate: func(a *notificationv1.Alert) { a.Spec.InclusionList = []string{"^applied"} }, event: ev(event.SeverityInfo, "podinfo", "applied rev"), want: true},
		{name: "not included", mutate: func(a *notificationv1.Alert) { a.Spec.InclusionList = []string{"^applied"} }, event: ev(event.SeverityInfo, "podinfo", "deleted")},
		{name: "excluded after included", mutate: func(a *notificationv1.Alert) {
			a.Spec.InclusionList, a.Spec.ExclusionList = []string{"^applied"}, []string{"no-op"}
		}, event: ev(event.SeverityInfo, "podinfo", "applied no-op")},
		{name: "invalid expression", mutate: func(a *notificationv1.Alert) { a.Spec.ExclusionList = []string{"["} }, event: ev(event.SeverityInfo, "podinfo", "m"), err: notification.ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			a := base()
			if tc.mutate != nil {
				tc.mutate(a)
			}
			l := tc.labels
			if l == nil {
				l = func() (map[string]string, error) {
					t.Error("labels read without matchLabels")
					return nil, nil
				}
			}
			got, err := notification.Matches(a, tc.event, l, false)
			if tc.err != nil {
				g.Expect(err).To(MatchError(tc.err))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}
