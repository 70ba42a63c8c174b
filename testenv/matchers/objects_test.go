package matchers_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	gomegatypes "github.com/onsi/gomega/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/sluice-dev/sluice/testenv/matchers"
)

var gadgetGVK = schema.GroupVersionKind{Group: "matchers.test.sluice.dev", Version: "v1", Kind: "Gadget"}

func newGadget(ns, name string, size int64) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"size": size}}}
	u.SetGroupVersionKind(gadgetGVK)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// namespace gives the test its own namespace.
func namespace(t *testing.T) string {
	t.Helper()
	ns, err := env.CreateNamespace(t.Context(), "matchers")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func configMap(ns, name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string]string{"a": "1"}}
}

func TestExistAndBeGone(t *testing.T) {
	g := NewWithT(t)
	ctx, c := t.Context(), env.Client()
	ns := namespace(t)
	cm := configMap(ns, "settings")

	g.Expect(cm).NotTo(matchers.Exist(ctx, c))
	g.Expect(cm).To(matchers.BeGone(ctx, c))
	exist := matchers.Exist(ctx, c)
	ok, err := exist.Match(cm)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeFalse())
	g.Expect(exist.FailureMessage(cm)).To(Equal("Expected ConfigMap " + ns + "/settings to exist, it was not found"))
	gone := matchers.BeGone(ctx, c)
	g.Expect(gone.Match(cm)).To(BeTrue())
	g.Expect(gone.NegatedFailureMessage(cm)).To(Equal("Expected ConfigMap " + ns + "/settings not to be gone, it was not found"))

	g.Expect(c.Create(ctx, cm)).To(Succeed())
	g.Eventually(cm).Should(matchers.Exist(ctx, c))
	g.Expect(cm).NotTo(matchers.BeGone(ctx, c))
	g.Expect(exist.Match(cm)).To(BeTrue())
	g.Expect(exist.NegatedFailureMessage(cm)).To(Equal("Expected ConfigMap " + ns + "/settings not to exist, it does (uid " +
		string(cm.UID) + ", resourceVersion " + cm.ResourceVersion + ")"))
	g.Expect(gone.Match(cm)).To(BeFalse())
	g.Expect(gone.FailureMessage(cm)).To(Equal("Expected ConfigMap " + ns + "/settings to be gone, it still exists (uid " +
		string(cm.UID) + ", resourceVersion " + cm.ResourceVersion + "): it is not being deleted"))

	// The object is read into a copy: the actual value stays as it was.
	local := cm.DeepCopy()
	local.Data = nil
	g.Expect(local).To(matchers.Exist(ctx, c))
	g.Expect(local.Data).To(BeNil())

	// Unstructured objects work the same, with their kind set.
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	u.SetNamespace(ns)
	u.SetName("settings")
	g.Expect(u).To(matchers.Exist(ctx, c))

	g.Expect(c.Delete(ctx, cm)).To(Succeed())
	g.Eventually(cm).Should(matchers.BeGone(ctx, c))
	g.Expect(cm).NotTo(matchers.Exist(ctx, c))
	g.Expect(u).To(matchers.BeGone(ctx, c))
}

func TestBeGoneWaitsForFinalizers(t *testing.T) {
	g := NewWithT(t)
	ctx, c := t.Context(), env.Client()
	const finalizer = "test.sluice.dev/hold"
	cm := configMap(namespace(t), "held")
	cm.Finalizers = []string{finalizer}
	g.Expect(c.Create(ctx, cm)).To(Succeed())
	g.Expect(c.Delete(ctx, cm)).To(Succeed())

	gone := matchers.BeGone(ctx, c)
	g.Consistently(cm).WithTimeout(300 * time.Millisecond).ShouldNot(gone)
	g.Expect(gone.Match(cm)).To(BeFalse())
	g.Expect(gone.FailureMessage(cm)).To(MatchRegexp(
		`^Expected ConfigMap \S+/held to be gone, it still exists \(uid \S+, resourceVersion \d+\): ` +
			`it is being deleted since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, held by finalizers \[test\.sluice\.dev/hold\]$`))

	// The controller that owns the finalizer lets go.
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(cm), cm)).To(Succeed())
	g.Expect(cm).To(matchers.HaveFinalizer(finalizer))
	cm.Finalizers = nil
	g.Expect(c.Update(ctx, cm)).To(Succeed())
	g.Eventually(cm).Should(matchers.BeGone(ctx, c))
}

func TestBeGoneSeesReplacedObject(t *testing.T) {
	g := NewWithT(t)
	ctx, c := t.Context(), env.Client()
	ns := namespace(t)
	old := configMap(ns, "replaced")
	g.Expect(c.Create(ctx, old)).To(Succeed())
	g.Expect(c.Delete(ctx, old)).To(Succeed())
	g.Eventually(old).Should(matchers.BeGone(ctx, c))

	renewed := configMap(ns, "replaced")
	g.Expect(c.Create(ctx, renewed)).To(Succeed())
	gone := matchers.BeGone(ctx, c)
	g.Expect(gone.Match(old)).To(BeTrue(), "the object with the old UID is gone")
	g.Expect(gone.NegatedFailureMessage(old)).To(ContainSubstring("it was replaced by another object (uid " + string(renewed.UID)))
	g.Expect(renewed).NotTo(matchers.BeGone(ctx, c))
	// Exist goes by key only.
	g.Expect(old).To(matchers.Exist(ctx, c))
}

func TestBeGoneNamespaceTerminating(t *testing.T) {
	g := NewWithT(t)
	ctx, c := t.Context(), env.Client()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace(t)}}
	g.Expect(ns).NotTo(matchers.BeGone(ctx, c))
	g.Expect(c.Delete(ctx, ns)).To(Succeed())
	// No namespace controller runs: Terminating is as far as it goes.
	g.Eventually(ns).Should(matchers.BeGone(ctx, c))
	g.Expect(ns).To(matchers.Exist(ctx, c))
}

func TestObjectMatcherErrors(t *testing.T) {
	g := NewWithT(t)
	ctx, c := t.Context(), env.Client()
	cm := configMap(namespace(t), "x")

	for _, m := range []gomegatypes.GomegaMatcher{matchers.Exist(ctx, c), matchers.BeGone(ctx, c)} {
		_, err := m.Match("settings")
		g.Expect(err).To(MatchError(ContainSubstring("expected a Kubernetes object (client.Object), got string")))
		_, err = m.Match((*corev1.ConfigMap)(nil))
		g.Expect(err).To(MatchError(ContainSubstring("got a nil *v1.ConfigMap")))

		// A kind the API server does not serve.
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: "nothing.sluice.dev", Version: "v1", Kind: "Nope"})
		u.SetNamespace("default")
		u.SetName("x")
		_, err = m.Match(u)
		g.Expect(err).To(MatchError(ContainSubstring("get Nope default/x: no matches for kind")))
	}

	// A client without rights gets Forbidden, which is no answer.
	cfg := env.Config()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "nobody"}
	nobody, err := client.New(cfg, client.Options{Scheme: env.Scheme()})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = matchers.Exist(ctx, nobody).Match(cm)
	g.Expect(apierrors.IsForbidden(err)).To(BeTrue(), "got %v", err)
	g.Expect(err).To(MatchError(ContainSubstring("get ConfigMap " + cm.Namespace + "/x")))
	_, err = matchers.BeGone(ctx, nobody).Match(cm)
	g.Expect(apierrors.IsForbidden(err)).To(BeTrue(), "got %v", err)

	// A done ctx stops the read.
	done, cancel := context.WithCancel(ctx)
	cancel()
	_, err = matchers.BeGone(done, c).Match(cm)
	g.Expect(err).To(MatchError(context.Canceled))

	// An error of a matcher given to That names the object read.
	_, err = matchers.Exist(ctx, c).That(BeTrue()).Match(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}})
	g.Expect(err).To(MatchError(HavePrefix("Namespace default: ")))
}

func TestHaveObservedGenerationOnTheAPIServer(t *testing.T) {
	ctx, c := t.Context(), env.Client()
	ns := namespace(t)

	t.Run("unstructured", func(t *testing.T) {
		g := NewWithT(t)
		gadget := newGadget(ns, "g1", 1)
		g.Expect(c.Create(ctx, gadget)).To(Succeed())
		g.Expect(gadget.GetGeneration()).To(BeEquivalentTo(1))
		g.Expect(gadget).NotTo(matchers.HaveObservedGeneration())
		g.Expect(matchers.HaveObservedGeneration().FailureMessage(gadget)).To(Equal(
			"Expected Gadget " + ns + "/g1 to have status.observedGeneration equal to metadata.generation, " +
				"it has metadata.generation 1 and no status.observedGeneration"))
		settled := matchers.Exist(ctx, c).That(matchers.HaveObservedGeneration(), matchers.BeReady())
		g.Expect(gadget).NotTo(settled)

		// The "controller" catches up.
		g.Expect(unstructured.SetNestedField(gadget.Object, int64(1), "status", "observedGeneration")).To(Succeed())
		g.Expect(unstructured.SetNestedSlice(gadget.Object, []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "Succeeded", "message": "done",
			"observedGeneration": int64(1), "lastTransitionTime": "2026-01-01T00:00:00Z",
		}}, "status", "conditions")).To(Succeed())
		g.Expect(c.Status().Update(ctx, gadget)).To(Succeed())
		g.Eventually(newGadget(ns, "g1", 0)).Should(settled)

		// A new spec: generation 2, not yet observed.
		g.Expect(unstructured.SetNestedField(gadget.Object, int64(2), "spec", "size")).To(Succeed())
		g.Expect(c.Update(ctx, gadget)).To(Succeed())
		g.Expect(gadget.GetGeneration()).To(BeEquivalentTo(2))
		m := matchers.Exist(ctx, c).That(matchers.HaveObservedGeneration())
		g.Expect(m.Match(gadget)).To(BeFalse())
		g.Expect(m.FailureMessage(gadget)).To(Equal(
			"Expected Gadget " + ns + "/g1 to exist and match, it exists but:\n" +
				"Expected Gadget " + ns + "/g1 to have status.observedGeneration equal to metadata.generation, " +
				"it has metadata.generation 2 and status.observedGeneration 1"))
		g.Expect(gadget).To(matchers.Exist(ctx, c).That(matchers.HaveCondition("Ready", metav1.ConditionTrue)))
		g.Expect(gadget).NotTo(matchers.Exist(ctx, c).That(matchers.BeReady()), "Ready is for generation 1")
		neg := matchers.Exist(ctx, c).That(matchers.HaveCondition("Ready", metav1.ConditionTrue))
		g.Expect(neg.Match(gadget)).To(BeTrue())
		g.Expect(neg.NegatedFailureMessage(gadget)).To(HavePrefix("Expected Gadget " + ns + "/g1 not to exist and match, it exists (uid "))
		g.Expect(neg.NegatedFailureMessage(gadget)).To(ContainSubstring("not to have condition Ready=True"))
	})

	t.Run("typed", func(t *testing.T) {
		g := NewWithT(t)
		labels := map[string]string{"app": "web"}
		deploy := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](1),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.invalid/web:v1"}}},
				},
			},
		}
		g.Expect(c.Create(ctx, deploy)).To(Succeed())
		// Only kube-apiserver and etcd run: no deployment controller
		// observes it.
		g.Expect(deploy).NotTo(matchers.Exist(ctx, c).That(matchers.HaveObservedGeneration()))
		g.Expect(matchers.HaveObservedGeneration().FailureMessage(deploy)).To(HavePrefix("Expected Deployment " + ns + "/web to have"))

		deploy.Status.ObservedGeneration = deploy.Generation
		g.Expect(c.Status().Update(ctx, deploy)).To(Succeed())
		g.Eventually(deploy).Should(matchers.Exist(ctx, c).That(matchers.HaveObservedGeneration()))
		g.Expect(deploy).To(matchers.HaveObservedGeneration())
	})

	t.Run("errors", func(t *testing.T) {
		g := NewWithT(t)
		bad := newGadget(ns, "bad", 1)
		bad.Object["status"] = map[string]any{"observedGeneration": "one"}
		_, err := matchers.HaveObservedGeneration().Match(bad)
		g.Expect(err).To(MatchError(ContainSubstring("want an integer, got string")))
		bad.Object["status"] = "broken"
		_, err = matchers.HaveObservedGeneration().Match(bad)
		g.Expect(err).To(HaveOccurred())
		_, err = matchers.HaveObservedGeneration().Match(42)
		g.Expect(err).To(MatchError(ContainSubstring("expected a Kubernetes object")))
	})
}

func TestMetadataMatchers(t *testing.T) {
	g := NewWithT(t)
	ctx, c := t.Context(), env.Client()
	ns := namespace(t)
	owner, other := configMap(ns, "owner"), configMap(ns, "other")
	g.Expect(c.Create(ctx, owner)).To(Succeed())
	g.Expect(c.Create(ctx, other)).To(Succeed())

	child := configMap(ns, "child")
	child.Labels = map[string]string{"app": "web"}
	child.Annotations = map[string]string{"note": "kept"}
	g.Expect(controllerutil.SetControllerReference(owner, child, env.Scheme())).To(Succeed())
	g.Expect(controllerutil.SetOwnerReference(other, child, env.Scheme())).To(Succeed())
	g.Expect(c.Create(ctx, child)).To(Succeed())

	// Read back from the API server, not from the local value.
	g.Eventually(configMap(ns, "child")).Should(matchers.Exist(ctx, c).That(
		matchers.HaveLabel("app", "web"),
		matchers.HaveAnnotation("note", "kept"),
		matchers.HaveOwnerReference(owner),
		matchers.BeControlledBy(owner),
		matchers.HaveOwnerReference(other),
		Not(matchers.BeControlledBy(other)),
		Not(matchers.HaveFinalizer("x")),
	))
	g.Expect(child).NotTo(matchers.HaveOwnerReference(child))

	g.Expect(matchers.HaveLabel("app", "api").FailureMessage(child)).To(Equal(
		"Expected ConfigMap " + ns + `/child to have label app="api", its value is "web"`))
	g.Expect(matchers.HaveAnnotation("tier", "x").FailureMessage(child)).To(Equal(
		"Expected ConfigMap " + ns + `/child to have annotation tier="x", it has no annotation tier (annotations: map[note:kept])`))
	g.Expect(matchers.HaveLabel("app", "web").NegatedFailureMessage(child)).To(ContainSubstring("not to have label"))
	g.Expect(matchers.BeControlledBy(other).FailureMessage(child)).To(Equal(
		"Expected ConfigMap " + ns + "/child to have a controller reference to ConfigMap " + ns + "/other, " +
			"its owner references are ConfigMap owner (uid " + string(owner.UID) + ", controller true) " +
			"ConfigMap other (uid " + string(other.UID) + ", controller false)"))
	g.Expect(matchers.HaveOwnerReference(child).FailureMessage(owner)).To(HaveSuffix("it has no owner references"))
	g.Expect(matchers.HaveFinalizer("x").FailureMessage(child)).To(HaveSuffix("its finalizers are []"))

	// An owner that never reached the API server has no UID to look for.
	_, err := matchers.HaveOwnerReference(configMap(ns, "unsaved")).Match(child)
	g.Expect(err).To(MatchError(ContainSubstring("owner ConfigMap " + ns + "/unsaved has no UID")))
}
