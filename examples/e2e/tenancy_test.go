package e2e_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apiacl "github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/testenv/matchers"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/applier"
)

// TestMultiTenancy runs the applier locked down as a multi-tenant platform
// runs it (--no-cross-namespace-refs, --default-service-account): a
// tenant's Syncs act as the tenant's service accounts, whose RBAC stops at
// the tenant's namespace, and may not use a source of another namespace
// even when that source's accessFrom grants it.
func TestMultiTenancy(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c := k8sClient()
	tenant := createNamespace(t, "tenant-")
	other := createNamespace(t, "other-")

	// The tenant's deployer may edit its own namespace only; the default
	// service account of the lockdown has no rights at first.
	const deployer, restricted = "deployer", "restricted"
	for _, sa := range []string{deployer, restricted} {
		g.Expect(c.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: tenant, Name: sa}})).To(Succeed())
	}
	grant(t, tenant, deployer)

	srv, err := gitserver.New(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })
	g.Expect(srv.StartHTTP(ctx)).To(Succeed())
	head, err := srv.CreateRepo(ctx, "tenant.git", gitserver.RepoOptions{Files: map[string]string{
		"inside/app.yaml":    configMap("", "app", map[string]string{"owner": "tenant"}),
		"escape/app.yaml":    configMap(other, "escape", map[string]string{"owner": "tenant"}),
		"default/app.yaml":   configMap("", "by-default", map[string]string{"owner": "tenant"}),
		"shared/shared.yaml": configMap("", "shared", map[string]string{"owner": "other"}),
	}})
	g.Expect(err).NotTo(HaveOccurred())
	rev := "main@sha1:" + head

	startControllers(t, controllerOptions{
		namespaces: []string{tenant, other},
		access:     flags.AccessOptions{NoCrossNamespaceRefs: true, DefaultServiceAccount: restricted},
	})

	repo := newGitRepository(tenant, "apps", srv.HTTPURL("tenant.git"))
	g.Expect(c.Create(ctx, repo)).To(Succeed())
	// A source of another namespace that grants the tenant's namespace.
	shared := newGitRepository(other, "shared", srv.HTTPURL("tenant.git"), func(r *sourcev1.GitRepository) {
		r.Spec.AccessFrom = &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{
			{MatchLabels: map[string]string{corev1.LabelMetadataName: tenant}},
		}}
	})
	g.Expect(c.Create(ctx, shared)).To(Succeed())
	eventuallyArtifact(t, repo, rev)
	eventuallyArtifact(t, shared, rev)

	withSA := func(s *applyv1.Sync) { s.Spec.ServiceAccountName = deployer }

	t.Run("objects outside the tenant's namespace are forbidden", func(t *testing.T) {
		g := NewWithT(t)
		escape := newSync(tenant, "escape", "apps", "./escape", withSA)
		g.Expect(c.Create(ctx, escape)).To(Succeed())
		got := eventuallyFailed(t, escape, meta.ReconciliationFailedReason)
		msg := conditions.GetMessage(got, meta.ReadyCondition)
		g.Expect(msg).To(ContainSubstring("forbidden"))
		g.Expect(msg).To(ContainSubstring("system:serviceaccount:" + tenant + ":" + deployer))
		g.Expect(got).To(matchers.BeReconciling())
		g.Expect(got.Status.LastAttemptedRevision).To(Equal(rev))
		g.Expect(got.Status.LastAppliedRevision).To(BeEmpty())
		g.Consistently(func() error {
			return c.Get(ctx, client.ObjectKey{Namespace: other, Name: "escape"}, &corev1.ConfigMap{})
		}).WithTimeout(2 * time.Second).WithPolling(poll).Should(Satisfy(apierrors.IsNotFound))
	})

	t.Run("objects in the tenant's namespace are applied", func(t *testing.T) {
		g := NewWithT(t)
		inside := newSync(tenant, "inside", "apps", "./inside", withSA)
		g.Expect(c.Create(ctx, inside)).To(Succeed())
		got := eventuallyApplied(t, inside, rev)
		g.Expect(inventoryIDs(got)).To(ConsistOf(tenant + "_app__ConfigMap"))
		cm := getConfigMap(g, tenant, "app")
		g.Expect(cm.Data).To(HaveKeyWithValue("owner", "tenant"))
		g.Expect(managers(cm)).To(ContainElement(applier.DefaultFieldManager))
	})

	t.Run("a source in another namespace is refused", func(t *testing.T) {
		g := NewWithT(t)
		cross := newSync(tenant, "cross", "shared", "./shared", withSA, func(s *applyv1.Sync) {
			s.Spec.SourceRef.Namespace = other
		})
		g.Expect(c.Create(ctx, cross)).To(Succeed())
		got := eventuallyFailed(t, cross, meta.AccessDeniedReason)
		g.Expect(got).To(matchers.BeStalled().WithReason(meta.AccessDeniedReason))
		g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring(acl.ReasonCrossNamespaceRefsDisabled))
		g.Expect(got.Status.LastAttemptedRevision).To(BeEmpty())
		err := c.Get(ctx, client.ObjectKey{Namespace: tenant, Name: "shared"}, &corev1.ConfigMap{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "shared: %v", err)
	})

	t.Run("a Sync naming no service account acts as the default one", func(t *testing.T) {
		g := NewWithT(t)
		def := newSync(tenant, "by-default", "apps", "./default")
		g.Expect(c.Create(ctx, def)).To(Succeed())
		// Not as the controller itself: the default account may do nothing
		// yet, even in its own namespace.
		got := eventuallyFailed(t, def, meta.ReconciliationFailedReason)
		msg := conditions.GetMessage(got, meta.ReadyCondition)
		g.Expect(msg).To(ContainSubstring("forbidden"))
		g.Expect(msg).To(ContainSubstring("system:serviceaccount:" + tenant + ":" + restricted))
		err := c.Get(ctx, client.ObjectKey{Namespace: tenant, Name: "by-default"}, &corev1.ConfigMap{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "by-default: %v", err)

		// Once the tenant's admin grants it, the retry applies.
		grant(t, tenant, restricted)
		eventuallyApplied(t, def, rev)
		g.Expect(getConfigMap(g, tenant, "by-default").Data).To(HaveKeyWithValue("owner", "tenant"))
	})
}

// grant gives the service account sa of ns the right to edit the usual
// namespaced objects of ns, and nothing elsewhere.
func grant(t *testing.T, ns, sa string) {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	c := k8sClient()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa + "-edit"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"", "apps"},
			Resources: []string{"configmaps", "secrets", "services", "serviceaccounts", "deployments"},
			Verbs:     []string{"get", "list", "watch", "create", "update", "patch", "delete"},
		}},
	}
	g.Expect(c.Create(ctx, role)).To(Succeed())
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa + "-edit"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa, Namespace: ns}},
	}
	g.Expect(c.Create(ctx, binding)).To(Succeed())
}
