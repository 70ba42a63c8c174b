package manifest_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sluice-dev/sluice/ssa/manifest"
)

func obj(apiVersion, kind, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetName(name)
	return u
}

func TestSortOrder(t *testing.T) {
	g := NewWithT(t)
	objs := []*unstructured.Unstructured{
		obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook"),
		obj("example.com/v1", "Widget", "w1"),
		obj("apps/v1", "Deployment", "web"),
		obj("v1", "Service", "web"),
		obj("v1", "ConfigMap", "cfg"),
		obj("example.com/v1", "Widget", "w0"),
		obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"),
		obj("storage.k8s.io/v1", "StorageClass", "fast"),
		obj("v1", "Namespace", "apps"),
		obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
		obj("example.com/v1", "Namespace", "not-core"),
		obj("apiregistration.k8s.io/v1", "APIService", "v1.example.com"),
		obj("networking.k8s.io/v1", "Ingress", "web"),
	}
	manifest.Sort(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	g.Expect(got).To(Equal([]string{
		"CustomResourceDefinition/widgets.example.com",
		"Namespace/apps",
		"StorageClass/fast",
		"ClusterRole/reader",
		"ConfigMap/cfg",
		"Service/web",
		"Deployment/web",
		"Ingress/web",
		"Widget/w1", // equal ranks keep their input order
		"Widget/w0",
		"Namespace/not-core",
		"APIService/v1.example.com",
		"ValidatingWebhookConfiguration/hook",
	}))
}

func TestRank(t *testing.T) {
	g := NewWithT(t)
	g.Expect(manifest.Rank(schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"})).To(Equal(manifest.RankCustomResourceDefinition))
	g.Expect(manifest.Rank(schema.GroupKind{Kind: "Namespace"})).To(Equal(manifest.RankNamespace))
	g.Expect(manifest.Rank(schema.GroupKind{Group: "gateway.networking.k8s.io", Kind: "GatewayClass"})).To(Equal(manifest.RankClass))
	g.Expect(manifest.Rank(schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"})).To(Equal(manifest.RankClusterRole))
	g.Expect(manifest.Rank(schema.GroupKind{Group: "example.com", Kind: "Widget"})).To(Equal(manifest.RankOther))
	g.Expect(manifest.Rank(schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"})).To(Equal(manifest.RankAdmission))
	// Namespaces come before every namespaced kind the order names.
	for _, gk := range []schema.GroupKind{{Kind: "ServiceAccount"}, {Kind: "Secret"}, {Group: "apps", Kind: "Deployment"}, {Group: "batch", Kind: "Job"}, {Group: "policy", Kind: "PodDisruptionBudget"}} {
		g.Expect(manifest.Rank(gk)).To(BeNumerically(">", manifest.RankClusterRole), gk.String())
		g.Expect(manifest.Rank(gk)).To(BeNumerically("<", manifest.RankAdmission), gk.String())
	}
}

func TestReadThenSort(t *testing.T) {
	g := NewWithT(t)
	objs, err := manifest.Read(strings.NewReader(`apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: apps}
---
apiVersion: v1
kind: Namespace
metadata: {name: apps}
`))
	g.Expect(err).NotTo(HaveOccurred())
	manifest.Sort(objs)
	g.Expect(names(objs)).To(Equal([]string{"Namespace/apps", "ConfigMap/apps/cfg"}))
}
