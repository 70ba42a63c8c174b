package ssa_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/sluice-dev/sluice/ssa"
)

func TestObjectIDRoundTrip(t *testing.T) {
	for _, id := range []ssa.ObjectID{
		{Kind: "Namespace", Name: "apps"},
		{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "web"},
		{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: "widgets.example.com"},
	} {
		g := NewWithT(t)
		got, err := ssa.ParseObjectID(id.String())
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal(id))
	}
}

func TestParseObjectIDRejects(t *testing.T) {
	for _, s := range []string{"", "a_b_c", "a_b_c_d_e", "ns__apps_Deployment", "ns_web_apps_"} {
		g := NewWithT(t)
		_, err := ssa.ParseObjectID(s)
		g.Expect(err).To(MatchError(ssa.ErrInvalidObjectID), s)
	}
}

func TestIDOfAndDisplay(t *testing.T) {
	g := NewWithT(t)
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("apps/v1")
	obj.SetKind("Deployment")
	obj.SetNamespace("default")
	obj.SetName("web")
	id := ssa.IDOf(obj)
	g.Expect(id.Display()).To(Equal("Deployment.apps/default/web"))
	g.Expect(ssa.ObjectID{Kind: "Namespace", Name: "apps"}.Display()).To(Equal("Namespace/apps"))
	g.Expect(id.GroupKind().String()).To(Equal("Deployment.apps"))
}

func FuzzParseObjectID(f *testing.F) {
	f.Add("default_web_apps_Deployment")
	f.Add("_apps__Namespace")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ssa.ParseObjectID(s)
		if err != nil {
			return
		}
		if id.String() != s {
			t.Fatalf("round trip: %q became %q", s, id.String())
		}
	})
}
