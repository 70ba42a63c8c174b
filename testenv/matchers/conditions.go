package matchers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// errNoConditions is what a condition matcher fails with for a value that
// holds no conditions it can read.
var errNoConditions = errors.New("value has no readable status conditions")

// ConditionMatcher matches an object that has a condition of a type with a
// status, and optionally a reason, a message fragment and an observed
// generation equal to the object's generation. It is a [types.GomegaMatcher].
type ConditionMatcher struct {
	condType       string
	status         metav1.ConditionStatus
	reason         string
	message        string
	wantGeneration bool
}

var _ types.GomegaMatcher = (*ConditionMatcher)(nil)

// HaveCondition matches a value holding a condition of condType with
// status.
func HaveCondition(condType string, status metav1.ConditionStatus) *ConditionMatcher {
	return &ConditionMatcher{condType: condType, status: status}
}

// BeReady matches an object whose Ready condition is True for its current
// generation.
func BeReady() *ConditionMatcher {
	return HaveCondition("Ready", metav1.ConditionTrue).ForCurrentGeneration()
}

// BeReconciling matches an object whose Reconciling condition is True.
func BeReconciling() *ConditionMatcher { return HaveCondition("Reconciling", metav1.ConditionTrue) }

// BeStalled matches an object whose Stalled condition is True.
func BeStalled() *ConditionMatcher { return HaveCondition("Stalled", metav1.ConditionTrue) }

// WithReason also requires the condition's reason to equal reason.
func (m *ConditionMatcher) WithReason(reason string) *ConditionMatcher {
	c := *m
	c.reason = reason
	return &c
}

// WithMessage also requires the condition's message to contain fragment.
func (m *ConditionMatcher) WithMessage(fragment string) *ConditionMatcher {
	c := *m
	c.message = fragment
	return &c
}

// ForCurrentGeneration also requires the condition's observedGeneration to
// equal the object's metadata.generation. It fails for a bare condition
// list, which has no generation.
func (m *ConditionMatcher) ForCurrentGeneration() *ConditionMatcher {
	c := *m
	c.wantGeneration = true
	return &c
}

// Match implements types.GomegaMatcher.
func (m *ConditionMatcher) Match(actual any) (bool, error) {
	conds, generation, err := conditionsOf(actual)
	if err != nil {
		return false, err
	}
	c := find(conds, m.condType)
	if c == nil || c.Status != m.status {
		return false, nil
	}
	if m.reason != "" && c.Reason != m.reason {
		return false, nil
	}
	if m.message != "" && !strings.Contains(c.Message, m.message) {
		return false, nil
	}
	if m.wantGeneration {
		if generation < 0 {
			return false, fmt.Errorf("ForCurrentGeneration needs an object, got %T", actual)
		}
		if c.ObservedGeneration != generation {
			return false, nil
		}
	}
	return true, nil
}

// FailureMessage implements types.GomegaMatcher.
func (m *ConditionMatcher) FailureMessage(actual any) string {
	return m.explain(actual, "to have")
}

// NegatedFailureMessage implements types.GomegaMatcher.
func (m *ConditionMatcher) NegatedFailureMessage(actual any) string {
	return m.explain(actual, "not to have")
}

func (m *ConditionMatcher) explain(actual any, verb string) string {
	conds, generation, _ := conditionsOf(actual)
	var found string
	if c := find(conds, m.condType); c != nil {
		found = fmt.Sprintf("found %s=%s reason=%q message=%q observedGeneration=%d (generation %d)",
			c.Type, c.Status, c.Reason, c.Message, c.ObservedGeneration, generation)
	} else {
		found = fmt.Sprintf("no %s condition among %d", m.condType, len(conds))
	}
	return fmt.Sprintf("Expected %s %s %s\n%s", describe(actual), verb, m.want(), found)
}

func (m *ConditionMatcher) want() string {
	var b strings.Builder
	fmt.Fprintf(&b, "condition %s=%s", m.condType, m.status)
	if m.reason != "" {
		fmt.Fprintf(&b, " reason=%q", m.reason)
	}
	if m.message != "" {
		fmt.Fprintf(&b, " message containing %q", m.message)
	}
	if m.wantGeneration {
		b.WriteString(" for the current generation")
	}
	return b.String()
}

func find(conds []metav1.Condition, condType string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == condType {
			return &conds[i]
		}
	}
	return nil
}

// conditionsOf returns the conditions of actual and its generation, or -1
// for a value without one.
func conditionsOf(actual any) ([]metav1.Condition, int64, error) {
	switch v := actual.(type) {
	case nil:
		return nil, -1, fmt.Errorf("%w: got nil", errNoConditions)
	case []metav1.Condition:
		return v, -1, nil
	case interface {
		GetConditions() []metav1.Condition
		GetGeneration() int64
	}:
		return v.GetConditions(), v.GetGeneration(), nil
	case *unstructured.Unstructured:
		return unstructuredConditions(v.Object, v.GetGeneration())
	case client.Object:
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(v)
		if err != nil {
			return nil, -1, fmt.Errorf("%w: %T: %w", errNoConditions, actual, err)
		}
		return unstructuredConditions(u, v.GetGeneration())
	default:
		return nil, -1, fmt.Errorf("%w: got %T", errNoConditions, actual)
	}
}

func unstructuredConditions(obj map[string]any, generation int64) ([]metav1.Condition, int64, error) {
	raw, found, err := unstructured.NestedSlice(obj, "status", "conditions")
	if err != nil {
		return nil, -1, fmt.Errorf("%w: status.conditions: %w", errNoConditions, err)
	}
	if !found {
		return nil, generation, nil
	}
	conds := make([]metav1.Condition, 0, len(raw))
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, -1, fmt.Errorf("%w: status.conditions[%d] is %T", errNoConditions, i, r)
		}
		var c metav1.Condition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &c); err != nil {
			return nil, -1, fmt.Errorf("%w: status.conditions[%d]: %w", errNoConditions, i, err)
		}
		conds = append(conds, c)
	}
	return conds, generation, nil
}
