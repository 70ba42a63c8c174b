package ssa

import (
	"errors"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestImmutableFieldsFromStatus(t *testing.T) {
	gk := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"apimachinery immutable", apierrors.NewInvalid(gk, "d", field.ErrorList{
			field.Invalid(field.NewPath("spec", "selector"), "x", "field is immutable"),
			field.Required(field.NewPath("spec", "template"), ""),
		}), []string{"spec.selector"}},
		{"service cluster ip", apierrors.NewInvalid(gk, "s", field.ErrorList{
			field.Invalid(field.NewPath("spec", "clusterIPs").Index(0), "10.0.0.2", "may not change once set"),
		}), []string{"spec.clusterIPs[0]"}},
		{"statefulset", apierrors.NewInvalid(gk, "s", field.ErrorList{
			field.Forbidden(field.NewPath("spec"), "updates to statefulset spec for fields other than 'replicas' are forbidden"),
		}), []string{"spec"}},
		{"wrapped", fmt.Errorf("x: %w", apierrors.NewInvalid(gk, "d", field.ErrorList{
			field.Invalid(field.NewPath("spec", "x"), "x", "Value is immutable"),
		})), []string{"spec.x"}},
		{"an ordinary bad value", apierrors.NewInvalid(gk, "d", field.ErrorList{
			field.Invalid(field.NewPath("spec", "replicas"), -1, "must be greater than or equal to 0"),
		}), nil},
		{"not invalid", apierrors.NewConflict(schema.GroupResource{Resource: "deployments"}, "d", errors.New("immutable")), nil},
		{"not a status", errors.New("field is immutable"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(immutableFields(tc.err)).To(Equal(tc.want))
		})
	}
}
