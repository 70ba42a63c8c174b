package testenv_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/testenv"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

func TestServerSideApply(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, "ssa")
	g.Expect(err).NotTo(HaveOccurred())

	cm := applycorev1.ConfigMap("settings", ns).WithData(map[string]string{"a": "1"})
	g.Expect(env.Client().Apply(ctx, cm, client.FieldOwner("sluice-test"), client.ForceOwnership)).To(Succeed())

	// A second manager takes one field; ours keeps the other.
	other := applycorev1.ConfigMap("settings", ns).WithData(map[string]string{"b": "2"})
	g.Expect(env.Client().Apply(ctx, other, client.FieldOwner("someone-else"))).To(Succeed())

	var got corev1.ConfigMap
	g.Expect(env.Client().Get(ctx, client.ObjectKey{Namespace: ns, Name: "settings"}, &got)).To(Succeed())
	g.Expect(got.Data).To(Equal(map[string]string{"a": "1", "b": "2"}))
	managers := map[string]metav1.ManagedFieldsOperationType{}
	for _, f := range got.ManagedFields {
		managers[f.Manager] = f.Operation
	}
	g.Expect(managers).To(HaveKeyWithValue("sluice-test", metav1.ManagedFieldsOperationApply))
	g.Expect(managers).To(HaveKeyWithValue("someone-else", metav1.ManagedFieldsOperationApply))

	// Applying a conflicting value without force is refused by the server.
	conflict := applycorev1.ConfigMap("settings", ns).WithData(map[string]string{"a": "changed"})
	err = env.Client().Apply(ctx, conflict, client.FieldOwner("someone-else"))
	g.Expect(err).To(matchers.BeConflict())
}

var widgetGVK = schema.GroupVersionKind{Group: "test.sluice.dev", Version: "v1", Kind: "Widget"}

func widget(ns, name string, size int64) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(widgetGVK)
	u.SetNamespace(ns)
	u.SetName(name)
	_ = unstructured.SetNestedField(u.Object, size, "spec", "size")
	return u
}

func TestCRDFromPathsIsServedAndValidates(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, "crd")
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(env.Client().Create(ctx, widget(ns, "ok", 3))).To(Succeed())
	g.Expect(env.Client().Create(ctx, widget(ns, "too-big", 11))).To(matchers.BeInvalid())
	g.Expect(env.Client().Create(ctx, widget(ns, "zero", 0))).To(matchers.BeInvalid())
}

func TestInstallCRDsFromFS(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	fsys := fstest.MapFS{
		"crds/gadgets.yaml": {Data: []byte(`---
apiVersion: v1
kind: ConfigMap
metadata:
  name: not-a-crd
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.test.sluice.dev
spec:
  group: test.sluice.dev
  names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}
  scope: Cluster
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                colour: {type: string, enum: [red, blue]}
`)},
		"crds/README.md": {Data: []byte("not a manifest")},
	}
	crds, err := env.InstallCRDs(ctx, fsys, "crds")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(crds).To(HaveLen(1))
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		g.Expect(env.DeleteAndWait(context.Background(), &apiextensionsv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: "gadgets.test.sluice.dev"},
		})).To(Succeed())
	})

	gadget := &unstructured.Unstructured{}
	gadget.SetGroupVersionKind(schema.GroupVersionKind{Group: "test.sluice.dev", Version: "v1", Kind: "Gadget"})
	gadget.SetName("g1")
	_ = unstructured.SetNestedField(gadget.Object, "green", "spec", "colour")
	g.Expect(env.Client().Create(ctx, gadget)).To(matchers.BeInvalid())
	_ = unstructured.SetNestedField(gadget.Object, "red", "spec", "colour")
	g.Expect(env.Client().Create(ctx, gadget)).To(Succeed())
}

func TestReadCRDsErrors(t *testing.T) {
	g := NewWithT(t)
	_, err := testenv.ReadCRDs(fstest.MapFS{"a.yaml": {Data: []byte("kind: ConfigMap\n")}})
	g.Expect(err).To(MatchError(ContainSubstring("no CustomResourceDefinition found")))

	_, err = testenv.ReadCRDs(fstest.MapFS{}, "missing")
	g.Expect(err).To(HaveOccurred())

	_, err = testenv.ReadCRDs(fstest.MapFS{"bad.yaml": {Data: []byte("kind: [unclosed\n")}})
	g.Expect(err).To(MatchError(ContainSubstring("bad.yaml")))
}

func TestDeleteAndWait(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, "cleanup")
	g.Expect(err).NotTo(HaveOccurred())

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "doomed"}}
	w := widget(ns, "doomed", 1)
	g.Expect(env.Client().Create(ctx, cm)).To(Succeed())
	g.Expect(env.Client().Create(ctx, w)).To(Succeed())

	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
	absent := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "never-existed"}}
	g.Expect(env.DeleteAndWait(ctx, cm, w, absent, nsObj)).To(Succeed())

	g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(cm), &corev1.ConfigMap{})).To(matchers.BeNotFound())
	g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(w), widget(ns, "doomed", 1))).To(matchers.BeNotFound())
	g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(nsObj), nsObj)).To(Succeed())
	g.Expect(nsObj.Status.Phase).To(Equal(corev1.NamespaceTerminating))
}

func TestDeleteAndWaitHonoursContext(t *testing.T) {
	g := NewWithT(t)
	ns, err := env.CreateNamespace(t.Context(), "finalized")
	g.Expect(err).NotTo(HaveOccurred())
	// A finalizer nobody removes keeps the object around.
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: "stuck", Finalizers: []string{"test.sluice.dev/hold"},
	}}
	g.Expect(env.Client().Create(t.Context(), cm)).To(Succeed())
	t.Cleanup(func() {
		patch := client.MergeFrom(cm.DeepCopy())
		cm.Finalizers = nil
		g.Expect(env.Client().Patch(context.Background(), cm, patch)).To(Succeed())
	})

	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	err = env.DeleteAndWait(ctx, cm)
	g.Expect(err).To(MatchError(ContainSubstring("wait for deletion of")))
	g.Expect(err).To(MatchError(ContainSubstring(ns + "/stuck")))
}

func TestManagerCacheSeesObjects(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	g.Expect(env.Manager()).NotTo(BeNil())
	ns, err := env.CreateNamespace(ctx, "mgr")
	g.Expect(err).NotTo(HaveOccurred())
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cached"}, Data: map[string]string{"k": "v"}}
	g.Expect(env.Client().Create(ctx, cm)).To(Succeed())

	cached := env.Manager().GetClient()
	g.Eventually(func() (map[string]string, error) {
		var got corev1.ConfigMap
		err := cached.Get(ctx, client.ObjectKeyFromObject(cm), &got)
		return got.Data, err
	}).WithTimeout(10 * time.Second).Should(Equal(map[string]string{"k": "v"}))
}

func TestConfigIsACopy(t *testing.T) {
	g := NewWithT(t)
	c := env.Config()
	c.Host = "http://changed.invalid"
	g.Expect(env.Config().Host).NotTo(Equal(c.Host))
}

func TestKubeConfigReachesTheAPIServer(t *testing.T) {
	g := NewWithT(t)
	data, err := env.KubeConfig()
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := clientcmd.RESTConfigFromKubeConfig(data)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Host).To(Equal(env.Config().Host))
	c, err := client.New(cfg, client.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	var ns corev1.Namespace
	g.Expect(c.Get(t.Context(), client.ObjectKey{Name: "default"}, &ns)).To(Succeed())
}
