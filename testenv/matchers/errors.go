package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// statusMatcher matches an error carrying a Kubernetes API status reason.
type statusMatcher struct {
	reason metav1.StatusReason
}

// BeNotFound matches an error for which apierrors.IsNotFound is true.
func BeNotFound() types.GomegaMatcher { return &statusMatcher{reason: metav1.StatusReasonNotFound} }

// BeInvalid matches an error for which apierrors.IsInvalid is true, such as
// the API server's answer to an object that fails OpenAPI validation.
func BeInvalid() types.GomegaMatcher { return &statusMatcher{reason: metav1.StatusReasonInvalid} }

// BeConflict matches an error for which apierrors.IsConflict is true.
func BeConflict() types.GomegaMatcher { return &statusMatcher{reason: metav1.StatusReasonConflict} }

// HaveStatusReason matches an error whose API status reason is reason.
func HaveStatusReason(reason metav1.StatusReason) types.GomegaMatcher {
	return &statusMatcher{reason: reason}
}

func (m *statusMatcher) Match(actual any) (bool, error) {
	if actual == nil {
		return false, nil
	}
	err, ok := actual.(error)
	if !ok {
		return false, fmt.Errorf("expected an error, got %T", actual)
	}
	return apierrors.ReasonForError(err) == m.reason, nil
}

func (m *statusMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("Expected error %v to have API status reason %s, it has %q", actual, m.reason, reasonOf(actual))
}

func (m *statusMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected error %v not to have API status reason %s", actual, m.reason)
}

func reasonOf(actual any) metav1.StatusReason {
	if err, ok := actual.(error); ok {
		return apierrors.ReasonForError(err)
	}
	return ""
}
