package ssa

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ErrInvalidObject means an object handed to the manager cannot be applied
// as given: it lacks apiVersion, kind or name, a namespaced object lacks a
// namespace, or a set names one object twice.
var ErrInvalidObject = errors.New("invalid object")

// ImmutableFieldError means the apiserver rejected a change to fields that
// cannot change after creation (a Job's template, a Service's clusterIP, a
// Deployment's selector, ...), and the manager was not allowed to recreate
// the object (see [ApplyOptions.Force] and [ForceKeySuffix]). Retrying the
// same apply fails the same way.
type ImmutableFieldError struct {
	// ID names the object.
	ID ObjectID
	// Fields are the paths of the rejected fields, as the apiserver names
	// them, such as "spec.selector".
	Fields []string
	// Err is the apiserver's error.
	Err error
}

// Error names the object and the fields.
func (e *ImmutableFieldError) Error() string {
	return fmt.Sprintf("apply %s: immutable field %s: %v", e.ID.Display(), strings.Join(e.Fields, ", "), e.Err)
}

// Unwrap returns the apiserver's error.
func (e *ImmutableFieldError) Unwrap() error { return e.Err }

// immutableFields returns the paths of the fields err rejects as immutable,
// or nil when err is not such a rejection.
//
// The decision rests on the API status: reason Invalid, and causes of type
// FieldValueInvalid or FieldValueForbidden that name a field. The status
// has no cause type for immutability, so the cause's own detail (not the
// overall message) then tells an immutable field from a bad value: the
// apimachinery wording for immutable fields ("field is immutable"), the
// wording of CEL transition rules and of PersistentVolumeClaims
// ("immutable"), of Service cluster IPs ("may not change once set") and of
// StatefulSets ("updates to statefulset spec for fields other than").
func immutableFields(err error) []string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return nil
	}
	st := status.Status()
	if st.Reason != metav1.StatusReasonInvalid || st.Details == nil {
		return nil
	}
	var fields []string
	for _, c := range st.Details.Causes {
		if c.Type != metav1.CauseTypeFieldValueInvalid && c.Type != metav1.CauseTypeForbidden {
			continue
		}
		if c.Field == "" || !immutableDetail(c.Message) {
			continue
		}
		fields = append(fields, c.Field)
	}
	return fields
}

func immutableDetail(msg string) bool {
	msg = strings.ToLower(msg)
	for _, frag := range []string{apivalidation.FieldImmutableErrorMsg, "immutable", "may not change once set", "updates to statefulset spec for fields other than"} {
		if strings.Contains(msg, frag) {
			return true
		}
	}
	return false
}
