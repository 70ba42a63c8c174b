package acl_test

import (
	"context"
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apiacl "github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// labelledNamespace creates a namespace carrying labels and returns its name.
func labelledNamespace(t *testing.T, prefix string, labels map[string]string) string {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	name, err := env.CreateNamespace(ctx, prefix)
	g.Expect(err).NotTo(HaveOccurred())
	ns := &corev1.Namespace{}
	g.Expect(env.Client().Get(ctx, client.ObjectKey{Name: name}, ns)).To(Succeed())
	patch := client.MergeFrom(ns.DeepCopy())
	ns.Labels = labels
	g.Expect(env.Client().Patch(ctx, ns, patch)).To(Succeed())
	t.Cleanup(func() { _ = env.DeleteAndWait(context.Background(), ns) })
	return name
}

func TestAuthorize(t *testing.T) {
	source := labelledNamespace(t, "acl-source", map[string]string{"team": "payments", "env": "prod"})
	targetNS := labelledNamespace(t, "acl-target", nil)
	target := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: targetNS, Name: "shared"}}

	selectPayments := &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{
		{MatchLabels: map[string]string{"team": "payments"}},
	}}
	selectSearch := &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{
		{MatchLabels: map[string]string{"team": "search"}},
	}}
	selectAll := &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{{}}}

	cases := []struct {
		name       string
		opts       []acl.Option
		from       string
		accessFrom *apiacl.AccessFrom
		wantReason string // empty: allowed
	}{
		{name: "same namespace without grant", from: targetNS},
		{name: "same namespace with switch on", opts: []acl.Option{acl.WithNoCrossNamespaceRefs()}, from: targetNS},
		{name: "matching selector", from: source, accessFrom: selectPayments},
		{name: "all namespaces selector", from: source, accessFrom: selectAll},
		{name: "non-matching selector", from: source, accessFrom: selectSearch, wantReason: acl.ReasonNamespaceNotSelected},
		{name: "no access from", from: source, wantReason: acl.ReasonNoAccessFrom},
		{name: "empty access from", from: source, accessFrom: &apiacl.AccessFrom{}, wantReason: acl.ReasonNoAccessFrom},
		{name: "switch on overrides grant", opts: []acl.Option{acl.WithNoCrossNamespaceRefs()}, from: source, accessFrom: selectAll, wantReason: acl.ReasonCrossNamespaceRefsDisabled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			err := acl.New(tc.opts...).Authorize(t.Context(), env.Client(), tc.from, target, tc.accessFrom)
			if tc.wantReason == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(acl.ErrAccessDenied))
			var denied *acl.AccessDeniedError
			g.Expect(errors.As(err, &denied)).To(BeTrue())
			g.Expect(denied.Reason).To(Equal(tc.wantReason))
			g.Expect(denied.From).To(Equal(tc.from))
			g.Expect(denied.Target).To(Equal(targetNS + "/shared"))
			g.Expect(err.Error()).To(ContainSubstring(tc.wantReason))
		})
	}
}

func TestAuthorizeFollowsLabelChanges(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	source := labelledNamespace(t, "acl-relabel", map[string]string{"team": "search"})
	target := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "elsewhere", Name: "shared"}}
	access := &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{
		{MatchLabels: map[string]string{"team": "payments"}},
	}}
	authz := acl.New()
	g.Expect(authz.Authorize(ctx, env.Client(), source, target, access)).To(MatchError(acl.ErrAccessDenied))

	ns := &corev1.Namespace{}
	g.Expect(env.Client().Get(ctx, client.ObjectKey{Name: source}, ns)).To(Succeed())
	patch := client.MergeFrom(ns.DeepCopy())
	ns.Labels["team"] = "payments"
	g.Expect(env.Client().Patch(ctx, ns, patch)).To(Succeed())
	g.Expect(authz.Authorize(ctx, env.Client(), source, target, access)).To(Succeed())
}

func TestAuthorizeMissingNamespace(t *testing.T) {
	g := NewWithT(t)
	target := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "shared"}}
	access := &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{{}}}
	err := acl.New().Authorize(t.Context(), env.Client(), "no-such-namespace", target, access)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err).NotTo(MatchError(acl.ErrAccessDenied))
	g.Expect(err).To(matchers.BeNotFound())
}

func TestAuthorizeSameNamespaceNeedsNoReader(t *testing.T) {
	g := NewWithT(t)
	target := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "shared"}}
	// A nil reader would panic if Authorize tried to read.
	g.Expect(acl.New().Authorize(t.Context(), nil, "apps", target, nil)).To(Succeed())
	g.Expect(acl.New().Authorize(t.Context(), nil, "other", target, nil)).To(MatchError(acl.ErrAccessDenied))
}

func TestCrossNamespaceRefsAllowed(t *testing.T) {
	g := NewWithT(t)
	g.Expect(acl.New().CrossNamespaceRefsAllowed()).To(BeTrue())
	g.Expect(acl.New(acl.WithNoCrossNamespaceRefs()).CrossNamespaceRefsAllowed()).To(BeFalse())
	var zero acl.Authorizer
	g.Expect(zero.CrossNamespaceRefsAllowed()).To(BeTrue())
}
