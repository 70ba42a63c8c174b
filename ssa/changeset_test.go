package ssa_test

import (
	"errors"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/sluice-dev/sluice/ssa"
)

func ExampleChangeSet() {
	var cs ssa.ChangeSet
	cs.Add(
		ssa.Change{ID: ssa.ObjectID{Kind: "Namespace", Name: "apps"}, Action: ssa.Created},
		ssa.Change{ID: ssa.ObjectID{Group: "apps", Kind: "Deployment", Namespace: "apps", Name: "web"}, Action: ssa.Configured},
		ssa.Change{ID: ssa.ObjectID{Kind: "ConfigMap", Namespace: "apps", Name: "cfg"}, Action: ssa.Unchanged},
	)
	fmt.Println(cs)
	fmt.Println(cs.ToMap()["Deployment.apps/apps/web"], cs.Changed())
	// Output:
	// Namespace/apps created
	// Deployment.apps/apps/web configured
	// ConfigMap/apps/cfg unchanged
	// configured true
}

func ExampleSortByApplyOrder() {
	objs := []*unstructured.Unstructured{
		obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "hook"),
		obj("apps/v1", "Deployment", "apps", "web"),
		obj("v1", "Service", "apps", "web"),
		obj("networking.k8s.io/v1", "IngressClass", "", "nginx"),
		obj("v1", "Namespace", "", "apps"),
		obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com"),
	}
	ssa.SortByApplyOrder(objs)
	for _, o := range objs {
		fmt.Println(ssa.IDOf(o).Display(), ssa.IsDefinition(o))
	}
	// Output:
	// CustomResourceDefinition.apiextensions.k8s.io/widgets.example.com true
	// Namespace/apps true
	// IngressClass.networking.k8s.io/nginx true
	// Service/apps/web false
	// Deployment.apps/apps/web false
	// ValidatingWebhookConfiguration.admissionregistration.k8s.io/hook false
}

func TestChangeSetForms(t *testing.T) {
	g := NewWithT(t)
	a := ssa.ObjectID{Kind: "ConfigMap", Namespace: "n", Name: "a"}
	b := ssa.ObjectID{Kind: "ConfigMap", Namespace: "n", Name: "b"}
	var cs ssa.ChangeSet
	g.Expect(cs.Changed()).To(BeFalse())
	cs.Add(ssa.Change{ID: b, Action: ssa.Skipped}, ssa.Change{ID: a, Action: ssa.Deleted})
	var other ssa.ChangeSet
	other.Add(ssa.Change{ID: ssa.ObjectID{Kind: "Secret", Namespace: "n", Name: "s"}, Action: ssa.Unchanged})
	cs.Append(other)
	g.Expect(cs.Len()).To(Equal(3))
	g.Expect(cs.IDs()).To(HaveLen(3))
	g.Expect(cs.Changed()).To(BeTrue())
	act, ok := cs.Lookup(a)
	g.Expect(ok).To(BeTrue())
	g.Expect(act).To(Equal(ssa.Deleted))
	_, ok = cs.Lookup(ssa.ObjectID{Kind: "X", Name: "y"})
	g.Expect(ok).To(BeFalse())
	g.Expect(cs.ToGroupMap()).To(Equal(map[string][]string{
		"skipped": {"ConfigMap/n/b"}, "deleted": {"ConfigMap/n/a"}, "unchanged": {"Secret/n/s"},
	}))
	for a, s := range map[ssa.Action]string{ssa.Unknown: "unknown", ssa.Created: "created", ssa.Configured: "configured",
		ssa.Unchanged: "unchanged", ssa.Deleted: "deleted", ssa.Skipped: "skipped", ssa.Action(99): "unknown"} {
		g.Expect(a.String()).To(Equal(s))
	}
}

func TestImmutableFieldErrorFormAndUnwrap(t *testing.T) {
	g := NewWithT(t)
	status := apierrors.NewInvalid(schema.GroupKind{Group: "batch", Kind: "Job"}, "j", field.ErrorList{
		field.Invalid(field.NewPath("spec", "template"), "x", "field is immutable"),
	})
	err := fmt.Errorf("wrapped: %w", &ssa.ImmutableFieldError{
		ID: ssa.ObjectID{Group: "batch", Kind: "Job", Namespace: "n", Name: "j"}, Fields: []string{"spec.template"}, Err: status,
	})
	g.Expect(apierrors.IsInvalid(err)).To(BeTrue())
	var ife *ssa.ImmutableFieldError
	g.Expect(errors.As(err, &ife)).To(BeTrue())
	g.Expect(ife.Error()).To(HavePrefix("apply Job.batch/n/j: immutable field spec.template: "))
}
