package conditions

import (
	"errors"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ErrKstatusViolation is matched (errors.Is) by every [*KstatusError].
var ErrKstatusViolation = errors.New("status does not follow kstatus")

// ViolationKind names one kstatus rule.
type ViolationKind int

// The rules [CheckKstatus] enforces.
const (
	// ReadyMissing means the object has no Ready condition.
	ReadyMissing ViolationKind = iota + 1
	// ReadyStale means neither Reconciling nor Stalled is True, yet Ready was
	// observed for another generation than metadata.generation.
	ReadyStale
	// ReconcilingAndStalled means Reconciling and Stalled are both True.
	ReconcilingAndStalled
	// AbnormalNotTrue means an abnormal-true condition (Reconciling, Stalled or
	// one passed to CheckKstatus) is present with a status other than
	// True; it must be removed instead.
	AbnormalNotTrue
	// GenerationFromFuture means a condition or status.observedGeneration is
	// greater than metadata.generation.
	GenerationFromFuture
	// ObservedGenerationStale means neither Reconciling nor Stalled is True,
	// yet status.observedGeneration differs from metadata.generation.
	ObservedGenerationStale
	// DuplicateType means two conditions have the same type.
	DuplicateType
	// InvalidCondition means a condition has no reason, or a status other than
	// True, False or Unknown.
	InvalidCondition
)

// String returns the kind's name, such as "ReadyMissing".
func (k ViolationKind) String() string {
	switch k {
	case ReadyMissing:
		return "ReadyMissing"
	case ReadyStale:
		return "ReadyStale"
	case ReconcilingAndStalled:
		return "ReconcilingAndStalled"
	case AbnormalNotTrue:
		return "AbnormalNotTrue"
	case GenerationFromFuture:
		return "GenerationFromFuture"
	case ObservedGenerationStale:
		return "ObservedGenerationStale"
	case DuplicateType:
		return "DuplicateType"
	case InvalidCondition:
		return "InvalidCondition"
	default:
		return fmt.Sprintf("ViolationKind(%d)", int(k))
	}
}

// Violation is one broken kstatus rule.
type Violation struct {
	// Kind is the rule.
	Kind ViolationKind
	// Condition is the type of the offending condition, or "" for
	// status.observedGeneration.
	Condition string
	// Detail says what was found.
	Detail string
}

// String returns "Kind(Condition): Detail".
func (v Violation) String() string {
	return fmt.Sprintf("%s(%s): %s", v.Kind, v.Condition, v.Detail)
}

// KstatusError lists every kstatus rule an object breaks.
type KstatusError struct {
	// Object is "namespace/name" of the checked object.
	Object string
	// Violations are in the order the rules were checked; never empty.
	Violations []Violation
}

// Error implements error.
func (e *KstatusError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return fmt.Sprintf("check kstatus of %s: %s", e.Object, strings.Join(parts, "; "))
}

// Unwrap returns [ErrKstatusViolation].
func (e *KstatusError) Unwrap() error { return ErrKstatusViolation }

// Has reports whether e holds a violation of kind k.
func (e *KstatusError) Has(k ViolationKind) bool {
	for _, v := range e.Violations {
		if v.Kind == k {
			return true
		}
	}
	return false
}

// CheckKstatus reports whether obj's status follows kstatus, as Sluice
// controllers must; see [ViolationKind] for the rules. Reconciling and
// Stalled are always treated as abnormal-true; abnormalTrue adds more such
// types (for example meta.FetchFailedCondition). status.observedGeneration
// is checked when obj has that field (read through the unstructured
// converter).
//
// CheckKstatus returns nil, or a [*KstatusError] that matches
// [ErrKstatusViolation].
func CheckKstatus(obj meta.ObjectWithConditions, abnormalTrue ...string) error {
	var vs []Violation
	add := func(k ViolationKind, t, format string, args ...any) {
		vs = append(vs, Violation{Kind: k, Condition: t, Detail: fmt.Sprintf(format, args...)})
	}
	gen := obj.GetGeneration()
	abnormal := map[string]bool{meta.ReconcilingCondition: true, meta.StalledCondition: true}
	for _, t := range abnormalTrue {
		abnormal[t] = true
	}
	seen := map[string]bool{}
	for _, c := range obj.GetConditions() {
		if seen[c.Type] {
			add(DuplicateType, c.Type, "condition type appears more than once")
		}
		seen[c.Type] = true
		switch c.Status {
		case metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown:
		default:
			add(InvalidCondition, c.Type, "status %q is not True, False or Unknown", c.Status)
		}
		if c.Reason == "" {
			add(InvalidCondition, c.Type, "reason is empty")
		}
		if abnormal[c.Type] && c.Status != metav1.ConditionTrue {
			add(AbnormalNotTrue, c.Type, "abnormal-true condition is %s; remove it instead", c.Status)
		}
		if c.ObservedGeneration > gen {
			add(GenerationFromFuture, c.Type, "observedGeneration %d > generation %d", c.ObservedGeneration, gen)
		}
	}
	reconciling := IsTrue(obj, meta.ReconcilingCondition)
	stalled := IsTrue(obj, meta.StalledCondition)
	if reconciling && stalled {
		add(ReconcilingAndStalled, meta.ReconcilingCondition, "Reconciling and Stalled are both True")
	}
	settled := !reconciling && !stalled
	ready := Get(obj, meta.ReadyCondition)
	switch {
	case ready == nil:
		add(ReadyMissing, meta.ReadyCondition, "no Ready condition")
	case settled && ready.ObservedGeneration != gen:
		add(ReadyStale, meta.ReadyCondition, "observedGeneration %d, generation %d, and not Reconciling or Stalled", ready.ObservedGeneration, gen)
	}
	if og, ok := statusObservedGeneration(obj); ok {
		switch {
		case og > gen:
			add(GenerationFromFuture, "", "status.observedGeneration %d > generation %d", og, gen)
		case settled && og != gen:
			add(ObservedGenerationStale, "", "status.observedGeneration %d, generation %d, and not Reconciling or Stalled", og, gen)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return &KstatusError{Object: obj.GetNamespace() + "/" + obj.GetName(), Violations: vs}
}

// statusObservedGeneration reads status.observedGeneration; ok is false
// when obj has no such field or it cannot be read.
func statusObservedGeneration(obj runtime.Object) (int64, bool) {
	u, ok := obj.(runtime.Unstructured)
	var m map[string]any
	if ok {
		m = u.UnstructuredContent()
	} else {
		var err error
		if m, err = runtime.DefaultUnstructuredConverter.ToUnstructured(obj); err != nil {
			return 0, false
		}
	}
	status, ok := m["status"].(map[string]any)
	if !ok {
		return 0, false
	}
	switch v := status["observedGeneration"].(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	default:
		return 0, false
	}
}
