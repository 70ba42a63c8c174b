package applier_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apiacl "github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/flags"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
)

// TestSyncLifecycle drives one Sync through the GitOps loop: apply, a new
// revision, drift, prune, and deletion.
func TestSyncLifecycle(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "lifecycle")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	// An object of the same kind that the Sync does not own.
	unowned := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "unowned"}, Data: map[string]string{"k": "v"}}
	g.Expect(c.Create(ctx, unowned)).To(Succeed())

	v1 := srv.publish(t, map[string]string{
		"deploy/app.yaml":   configMap("app", "color", "blue"),
		"deploy/extra.yaml": configMap("extra", "k", "v"),
		"README.md":         "not a manifest",
	})
	setArtifact(t, ns, "repo", v1)
	sync := newSync(ns, "apps", "repo", func(s *applyv1.Sync) { s.Spec.Path = "./deploy" })
	g.Expect(c.Create(ctx, sync)).To(Succeed())

	got := eventuallyReady(t, sync, v1.Revision)
	g.Expect(got.Status.LastAttemptedRevision).To(Equal(v1.Revision))
	g.Expect(got.Finalizers).To(ContainElement(applyv1.SyncFinalizer))
	g.Expect(got.Status.Inventory).NotTo(BeNil())
	ids := []string{}
	for _, e := range got.Status.Inventory.Entries {
		ids = append(ids, e.ID)
		g.Expect(e.Version).To(Equal("v1"))
	}
	g.Expect(ids).To(ConsistOf(ns+"_app__ConfigMap", ns+"_extra__ConfigMap"))
	app := getConfigMap(g, ns, "app")
	g.Expect(app.Data).To(HaveKeyWithValue("color", "blue"))
	g.Expect(app.Labels).To(HaveKeyWithValue(applyv1.Group+"/name", "apps"))
	g.Expect(app.Labels).To(HaveKeyWithValue(applyv1.Group+"/namespace", ns))

	// A new revision changes a value and drops an object.
	v2 := srv.publish(t, map[string]string{"deploy/app.yaml": configMap("app", "color", "green")})
	setArtifact(t, ns, "repo", v2)
	got = eventuallyReady(t, sync, v2.Revision)
	g.Expect(getConfigMap(g, ns, "app").Data).To(HaveKeyWithValue("color", "green"))
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "extra"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))
	g.Expect(getConfigMap(g, ns, "unowned").Data).To(HaveKeyWithValue("k", "v"))
	g.Expect(got.Status.Inventory.Entries).To(HaveLen(1))

	// A manual edit is reverted at a later reconcile.
	app = getConfigMap(g, ns, "app")
	app.Data["color"] = "hacked"
	g.Expect(c.Update(ctx, app)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(getConfigMap(g, ns, "app").Data).To(HaveKeyWithValue("color", "green"))
	}, 20*time.Second, 200*time.Millisecond).Should(Succeed())

	// Deleting the Sync prunes what it applied, and only that.
	g.Expect(c.Delete(ctx, sync)).To(Succeed())
	g.Eventually(func() error {
		return c.Get(ctx, client.ObjectKeyFromObject(sync), &applyv1.Sync{})
	}, 20*time.Second, 200*time.Millisecond).Should(Satisfy(apierrors.IsNotFound))
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "app"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))
	g.Expect(getConfigMap(g, ns, "unowned").Data).To(HaveKeyWithValue("k", "v"))
}

// TestSyncNoPruneKeepsObjects checks that prune: false keeps objects that
// left the source and objects of a deleted Sync.
func TestSyncNoPruneKeepsObjects(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "noprune")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	v1 := srv.publish(t, map[string]string{"a.yaml": configMap("a", "k", "v"), "b.yaml": configMap("b", "k", "v")})
	setArtifact(t, ns, "repo", v1)
	sync := newSync(ns, "keep", "repo", func(s *applyv1.Sync) { s.Spec.Prune = ptr.To(false) })
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	eventuallyReady(t, sync, v1.Revision)

	v2 := srv.publish(t, map[string]string{"a.yaml": configMap("a", "k", "v")})
	setArtifact(t, ns, "repo", v2)
	eventuallyReady(t, sync, v2.Revision)
	getConfigMap(g, ns, "b")

	g.Expect(c.Delete(ctx, sync)).To(Succeed())
	g.Eventually(func() error {
		return c.Get(ctx, client.ObjectKeyFromObject(sync), &applyv1.Sync{})
	}, 20*time.Second, 200*time.Millisecond).Should(Satisfy(apierrors.IsNotFound))
	getConfigMap(g, ns, "a")
}

// TestSyncKustomizeOverlay builds an overlay that refers to its base with
// "../../base", and puts the objects in spec.targetNamespace.
func TestSyncKustomizeOverlay(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "kustomize")
	target := createNamespace(t, "kustomize-target")
	startController(t, flags.AccessOptions{}, ns, target)
	srv := newArtifactServer(t)

	art := srv.publishDir(t, "testdata/kustomize")
	setArtifact(t, ns, "repo", art)
	sync := newSync(ns, "overlay", "repo", func(s *applyv1.Sync) {
		s.Spec.Path = "overlays/prod"
		s.Spec.TargetNamespace = target
	})
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	eventuallyReady(t, sync, art.Revision)

	cm := getConfigMap(g, target, "prod-app")
	g.Expect(cm.Data).To(HaveKeyWithValue("color", "red"))
	g.Expect(cm.Labels).To(HaveKeyWithValue("env", "prod"))
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "prod-app"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))
}

// TestSyncDigestMismatch serves an artifact whose content does not match
// its announced digest: nothing is applied.
func TestSyncDigestMismatch(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "digest")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	good := srv.publish(t, map[string]string{"a.yaml": configMap("tampered", "k", "v")})
	other := srv.publish(t, map[string]string{"a.yaml": configMap("other", "k", "v")})
	bad := good.DeepCopy()
	bad.Digest = other.Digest
	setArtifact(t, ns, "repo", bad)
	sync := newSync(ns, "digest", "repo")
	g.Expect(c.Create(ctx, sync)).To(Succeed())

	got := eventuallyFailed(t, sync, meta.VerificationFailedReason)
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("digest mismatch"))
	g.Expect(conditions.IsTrue(got, meta.ReconcilingCondition)).To(BeTrue())
	g.Expect(got.Status.LastAppliedRevision).To(BeEmpty())
	g.Expect(got.Status.Inventory).To(BeNil())
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "tampered"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))
}

// TestSyncWaitsForSourceAndDependencies checks that a Sync waits for its
// source's artifact and for the Syncs it depends on.
func TestSyncWaitsForSourceAndDependencies(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "depends")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	missing := newSync(ns, "missing", "nope")
	g.Expect(c.Create(ctx, missing)).To(Succeed())
	eventuallyFailed(t, missing, applyv1.SourceNotFoundReason)

	setArtifact(t, ns, "base", nil) // no artifact yet
	base := newSync(ns, "base", "base")
	g.Expect(c.Create(ctx, base)).To(Succeed())
	got := eventuallyFailed(t, base, applyv1.ArtifactNotReadyReason)
	g.Expect(conditions.IsTrue(got, meta.ReconcilingCondition)).To(BeTrue())

	appArt := srv.publish(t, map[string]string{"app.yaml": configMap("dependent", "k", "v")})
	setArtifact(t, ns, "app", appArt)
	app := newSync(ns, "app", "app", func(s *applyv1.Sync) {
		s.Spec.DependsOn = []meta.LocalObjectReference{{Name: "base"}}
	})
	g.Expect(c.Create(ctx, app)).To(Succeed())
	eventuallyFailed(t, app, meta.DependencyNotReadyReason)
	g.Consistently(func() error {
		return c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "dependent"}, &corev1.ConfigMap{})
	}, 2*time.Second, 200*time.Millisecond).Should(Satisfy(apierrors.IsNotFound))

	baseArt := srv.publish(t, map[string]string{"base.yaml": configMap("base", "k", "v")})
	setArtifact(t, ns, "base", baseArt)
	eventuallyReady(t, base, baseArt.Revision)
	eventuallyReady(t, app, appArt.Revision)
	getConfigMap(g, ns, "dependent")
}

// TestSyncImpersonation applies as a service account whose RBAC covers only
// its own namespace.
func TestSyncImpersonation(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "tenant")
	other := createNamespace(t, "other")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)
	grantConfigMaps(t, ns, "tenant")

	outside := srv.publish(t, map[string]string{"cm.yaml": configMapIn(other, "escape", "k", "v")})
	setArtifact(t, ns, "outside", outside)
	escape := newSync(ns, "escape", "outside", func(s *applyv1.Sync) { s.Spec.ServiceAccountName = "tenant" })
	g.Expect(c.Create(ctx, escape)).To(Succeed())
	got := eventuallyFailed(t, escape, meta.ReconciliationFailedReason)
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("forbidden"))
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: other, Name: "escape"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))

	inside := srv.publish(t, map[string]string{"cm.yaml": configMap("inside", "k", "v")})
	setArtifact(t, ns, "inside", inside)
	ok := newSync(ns, "inside", "inside", func(s *applyv1.Sync) { s.Spec.ServiceAccountName = "tenant" })
	g.Expect(c.Create(ctx, ok)).To(Succeed())
	eventuallyReady(t, ok, inside.Revision)
	getConfigMap(g, ns, "inside")

	invalid := newSync(ns, "badsa", "inside", func(s *applyv1.Sync) {
		s.Spec.KubeConfig = &meta.KubeConfigReference{SecretRef: meta.SecretKeyReference{Name: "absent", Key: "value"}}
	})
	g.Expect(c.Create(ctx, invalid)).To(Succeed())
	got = eventuallyFailed(t, invalid, meta.ReconciliationFailedReason)
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("absent"))
}

// TestSyncDefaultServiceAccountLockdown checks that a Sync naming no
// service account acts as the default one when the controller says so.
func TestSyncDefaultServiceAccountLockdown(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "lockdown")
	startController(t, flags.AccessOptions{DefaultServiceAccount: "default"}, ns)
	srv := newArtifactServer(t)

	art := srv.publish(t, map[string]string{"cm.yaml": configMap("locked", "k", "v")})
	setArtifact(t, ns, "repo", art)
	sync := newSync(ns, "locked", "repo")
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	got := eventuallyFailed(t, sync, meta.ReconciliationFailedReason)
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("system:serviceaccount:" + ns + ":default"))
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "locked"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))

	grantConfigMaps(t, ns, "default")
	eventuallyReady(t, sync, art.Revision)
	getConfigMap(g, ns, "locked")
}

// TestSyncCrossNamespaceSource checks the access rules of a source in
// another namespace.
func TestSyncCrossNamespaceSource(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	srcNS := createNamespace(t, "sources")
	ns := createNamespace(t, "consumer")
	lockedNS := createNamespace(t, "consumer-locked")
	startController(t, flags.AccessOptions{}, srcNS, ns)
	startLocked := func() { startController(t, flags.AccessOptions{NoCrossNamespaceRefs: true}, srcNS, lockedNS) }
	srv := newArtifactServer(t)

	art := srv.publish(t, map[string]string{"cm.yaml": configMap("shared", "k", "v")})
	setArtifact(t, srcNS, "shared", art)
	ref := func(s *applyv1.Sync) { s.Spec.SourceRef.Namespace = srcNS }

	// No accessFrom: refused.
	sync := newSync(ns, "cross", "shared", ref)
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	got := eventuallyFailed(t, sync, meta.AccessDeniedReason)
	g.Expect(conditions.IsTrue(got, meta.StalledCondition)).To(BeTrue())
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring(acl.ReasonNoAccessFrom))

	// A missing source in another namespace is refused the same way.
	probe := newSync(ns, "probe", "absent", ref)
	g.Expect(c.Create(ctx, probe)).To(Succeed())
	eventuallyFailed(t, probe, meta.AccessDeniedReason)

	// An accessFrom that selects the consumer's namespace: allowed.
	setArtifact(t, srcNS, "shared", nil, func(r *sourcev1.GitRepository) {
		r.Spec.AccessFrom = &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{
			{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}},
			{MatchLabels: map[string]string{"kubernetes.io/metadata.name": lockedNS}},
		}}
	})
	eventuallyReady(t, sync, art.Revision)
	getConfigMap(g, ns, "shared")

	// --no-cross-namespace-refs refuses it whatever accessFrom grants.
	startLocked()
	locked := newSync(lockedNS, "cross", "shared", ref)
	g.Expect(c.Create(ctx, locked)).To(Succeed())
	got = eventuallyFailed(t, locked, meta.AccessDeniedReason)
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring(acl.ReasonCrossNamespaceRefsDisabled))
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: lockedNS, Name: "shared"}, &corev1.ConfigMap{})).To(Satisfy(apierrors.IsNotFound))
}

// TestSyncWaitHealth checks spec.wait: a Deployment never becomes
// available (no controller runs in testenv), so the health check fails.
func TestSyncWaitHealth(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "health")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	healthy := srv.publish(t, map[string]string{"cm.yaml": configMap("fine", "k", "v")})
	setArtifact(t, ns, "fine", healthy)
	ok := newSync(ns, "fine", "fine", func(s *applyv1.Sync) { s.Spec.Wait = true })
	g.Expect(c.Create(ctx, ok)).To(Succeed())
	got := eventuallyReady(t, ok, healthy.Revision)
	g.Expect(conditions.IsTrue(got, meta.HealthyCondition)).To(BeTrue())

	deploy := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.invalid/web:1
`
	stuck := srv.publish(t, map[string]string{"deploy.yaml": deploy})
	setArtifact(t, ns, "stuck", stuck)
	sync := newSync(ns, "stuck", "stuck", func(s *applyv1.Sync) {
		s.Spec.Wait = true
		s.Spec.Timeout = &metav1.Duration{Duration: 2 * time.Second}
	})
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	got = eventuallyFailed(t, sync, meta.HealthCheckFailedReason)
	g.Expect(conditions.IsFalse(got, meta.HealthyCondition)).To(BeTrue())
	g.Expect(got.Status.LastAttemptedRevision).To(Equal(stuck.Revision))
	g.Expect(got.Status.LastAppliedRevision).To(BeEmpty())
	// The objects were applied all the same.
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "web"}, &appsv1.Deployment{})).To(Succeed())
}

// TestSyncSuspendAndBuildFailure checks a Sync whose path is missing
// (Stalled) and that suspend stops reconciliation.
func TestSyncSuspendAndBuildFailure(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "suspend")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	art := srv.publish(t, map[string]string{"cm.yaml": configMap("s", "k", "v1")})
	setArtifact(t, ns, "repo", art)
	broken := newSync(ns, "broken", "repo", func(s *applyv1.Sync) { s.Spec.Path = "no/such/dir" })
	g.Expect(c.Create(ctx, broken)).To(Succeed())
	got := eventuallyFailed(t, broken, applyv1.BuildFailedReason)
	g.Expect(conditions.IsTrue(got, meta.StalledCondition)).To(BeTrue())
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("/no/such/dir"))

	sync := newSync(ns, "suspended", "repo")
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	eventuallyReady(t, sync, art.Revision)

	got = getSync(g, sync)
	got.Spec.Suspend = true
	g.Expect(c.Update(ctx, got)).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSync(g, sync)
		g.Expect(conditions.GetReason(s, meta.ReadyCondition)).To(Equal(meta.SuspendedReason))
		g.Expect(s.Status.ObservedGeneration).To(Equal(s.Generation))
		g.Expect(conditions.CheckKstatus(s)).To(Succeed())
	}, 20*time.Second, 200*time.Millisecond).Should(Succeed())

	v2 := srv.publish(t, map[string]string{"cm.yaml": configMap("s", "k", "v2")})
	setArtifact(t, ns, "repo", v2)
	g.Consistently(func(g Gomega) {
		g.Expect(getConfigMap(g, ns, "s").Data).To(HaveKeyWithValue("k", "v1"))
	}, 3*time.Second, 300*time.Millisecond).Should(Succeed())

	got = getSync(g, sync)
	got.Spec.Suspend = false
	g.Expect(c.Update(ctx, got)).To(Succeed())
	eventuallyReady(t, sync, v2.Revision)
	g.Expect(getConfigMap(g, ns, "s").Data).To(HaveKeyWithValue("k", "v2"))
}

// grantConfigMaps lets the service account sa of ns manage ConfigMaps in
// ns, and nothing else.
func grantConfigMaps(t *testing.T, ns, sa string) {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	c := env.Client()
	account := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa}}
	if err := c.Create(ctx, account); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa + "-configmaps"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""},
			Resources: []string{"configmaps"},
			Verbs:     []string{"get", "list", "watch", "create", "update", "patch", "delete"},
		}},
	}
	g.Expect(c.Create(ctx, role)).To(Succeed())
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa + "-configmaps"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa, Namespace: ns}},
	}
	g.Expect(c.Create(ctx, binding)).To(Succeed())
}

// TestSyncForceRecreatesImmutable changes an immutable ConfigMap: the apply
// fails until spec.force lets the controller recreate it.
func TestSyncForceRecreatesImmutable(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "force")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	immutable := func(value string) string { return configMap("frozen", "k", value) + "immutable: true\n" }
	v1 := srv.publish(t, map[string]string{"cm.yaml": immutable("v1")})
	setArtifact(t, ns, "repo", v1)
	sync := newSync(ns, "frozen", "repo")
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	eventuallyReady(t, sync, v1.Revision)

	v2 := srv.publish(t, map[string]string{"cm.yaml": immutable("v2")})
	setArtifact(t, ns, "repo", v2)
	got := eventuallyFailed(t, sync, meta.ReconciliationFailedReason)
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("immutable"))
	g.Expect(got.Status.LastAttemptedRevision).To(Equal(v2.Revision))
	g.Expect(got.Status.LastAppliedRevision).To(Equal(v1.Revision))
	g.Expect(getConfigMap(g, ns, "frozen").Data).To(HaveKeyWithValue("k", "v1"))

	got.Spec.Force = true
	g.Expect(c.Update(ctx, got)).To(Succeed())
	eventuallyReady(t, sync, v2.Revision)
	g.Expect(getConfigMap(g, ns, "frozen").Data).To(HaveKeyWithValue("k", "v2"))
}

// TestSyncKubeConfig applies through a kubeconfig Secret, and records
// Kubernetes events about the Sync.
func TestSyncKubeConfig(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "remote")
	startController(t, flags.AccessOptions{DefaultServiceAccount: "nobody"}, ns)
	srv := newArtifactServer(t)

	data, err := env.KubeConfig()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "kubeconfig"},
		Data:       map[string][]byte{"config": data},
	})).To(Succeed())

	art := srv.publish(t, map[string]string{"cm.yaml": configMap("remote", "k", "v")})
	setArtifact(t, ns, "repo", art)
	sync := newSync(ns, "remote", "repo", func(s *applyv1.Sync) {
		s.Spec.KubeConfig = &meta.KubeConfigReference{SecretRef: meta.SecretKeyReference{Name: "kubeconfig", Key: "config"}}
	})
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	// The default service account does not apply to kubeconfig clients.
	eventuallyReady(t, sync, art.Revision)
	getConfigMap(g, ns, "remote")

	g.Eventually(func(g Gomega) {
		var list eventsv1.EventList
		g.Expect(c.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
		reasons := []string{}
		for _, e := range list.Items {
			if e.Regarding.Name == "remote" && e.Regarding.Kind == applyv1.SyncKind {
				reasons = append(reasons, e.Reason)
			}
		}
		g.Expect(reasons).To(ContainElement(meta.ReconciliationSucceededReason))
	}, 20*time.Second, 200*time.Millisecond).Should(Succeed())

	bad := newSync(ns, "badkey", "repo", func(s *applyv1.Sync) {
		s.Spec.KubeConfig = &meta.KubeConfigReference{SecretRef: meta.SecretKeyReference{Name: "kubeconfig", Key: "nokey"}}
	})
	g.Expect(c.Create(ctx, bad)).To(Succeed())
	got := eventuallyFailed(t, bad, meta.InvalidConfigReason)
	g.Expect(conditions.IsTrue(got, meta.StalledCondition)).To(BeTrue())
}
