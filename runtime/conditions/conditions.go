package conditions

import (
	"fmt"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// Get returns a copy of the condition of type t, or nil when obj has none.
func Get(obj meta.ObjectWithConditions, t string) *metav1.Condition {
	c := apimeta.FindStatusCondition(obj.GetConditions(), t)
	if c == nil {
		return nil
	}
	cp := *c
	return &cp
}

// Has reports whether obj has a condition of type t, whatever its status.
func Has(obj meta.ObjectWithConditions, t string) bool {
	return Get(obj, t) != nil
}

// IsTrue reports whether the condition of type t is present and True.
func IsTrue(obj meta.ObjectWithConditions, t string) bool {
	return statusOf(obj, t) == metav1.ConditionTrue
}

// IsFalse reports whether the condition of type t is present and False.
func IsFalse(obj meta.ObjectWithConditions, t string) bool {
	return statusOf(obj, t) == metav1.ConditionFalse
}

// IsUnknown reports whether the condition of type t is Unknown or absent:
// an absent condition says nothing, which is what Unknown means.
func IsUnknown(obj meta.ObjectWithConditions, t string) bool {
	s := statusOf(obj, t)
	return s == "" || s == metav1.ConditionUnknown
}

func statusOf(obj meta.ObjectWithConditions, t string) metav1.ConditionStatus {
	if c := apimeta.FindStatusCondition(obj.GetConditions(), t); c != nil {
		return c.Status
	}
	return ""
}

// GetReason returns the reason of the condition of type t, or "" when obj
// has none.
func GetReason(obj meta.ObjectWithConditions, t string) string {
	if c := apimeta.FindStatusCondition(obj.GetConditions(), t); c != nil {
		return c.Reason
	}
	return ""
}

// GetMessage returns the message of the condition of type t, or "" when obj
// has none.
func GetMessage(obj meta.ObjectWithConditions, t string) string {
	if c := apimeta.FindStatusCondition(obj.GetConditions(), t); c != nil {
		return c.Message
	}
	return ""
}

// GetObservedGeneration returns the observedGeneration of the condition of
// type t, or 0 when obj has none.
func GetObservedGeneration(obj meta.ObjectWithConditions, t string) int64 {
	if c := apimeta.FindStatusCondition(obj.GetConditions(), t); c != nil {
		return c.ObservedGeneration
	}
	return 0
}

// Set adds c to obj or replaces the condition of the same type.
//
// ObservedGeneration is always taken from obj's metadata.generation: a
// condition is written by whoever reconciled that generation. When a
// condition of the type exists with the same status, its
// LastTransitionTime is kept; otherwise LastTransitionTime is c's, or now
// when c's is zero. Conditions keep their order; a new type is appended.
func Set(obj meta.ObjectWithConditionsSetter, c metav1.Condition) {
	c.ObservedGeneration = obj.GetGeneration()
	conds := obj.GetConditions()
	for i := range conds {
		if conds[i].Type != c.Type {
			continue
		}
		if conds[i].Status == c.Status {
			c.LastTransitionTime = conds[i].LastTransitionTime
		} else if c.LastTransitionTime.IsZero() {
			c.LastTransitionTime = metav1.Now()
		}
		out := append([]metav1.Condition(nil), conds...)
		out[i] = c
		obj.SetConditions(out)
		return
	}
	if c.LastTransitionTime.IsZero() {
		c.LastTransitionTime = metav1.Now()
	}
	obj.SetConditions(append(append([]metav1.Condition(nil), conds...), c))
}

// MarkTrue sets the condition of type t to True with reason and a message
// formatted from messageFormat and args (fmt.Sprintf rules; with no args
// messageFormat is used verbatim, so a literal "%" is safe).
func MarkTrue(obj meta.ObjectWithConditionsSetter, t, reason, messageFormat string, args ...any) {
	mark(obj, t, metav1.ConditionTrue, reason, messageFormat, args)
}

// MarkFalse sets the condition of type t to False, like [MarkTrue].
func MarkFalse(obj meta.ObjectWithConditionsSetter, t, reason, messageFormat string, args ...any) {
	mark(obj, t, metav1.ConditionFalse, reason, messageFormat, args)
}

// MarkUnknown sets the condition of type t to Unknown, like [MarkTrue].
func MarkUnknown(obj meta.ObjectWithConditionsSetter, t, reason, messageFormat string, args ...any) {
	mark(obj, t, metav1.ConditionUnknown, reason, messageFormat, args)
}

func mark(obj meta.ObjectWithConditionsSetter, t string, s metav1.ConditionStatus, reason, format string, args []any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	Set(obj, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg})
}

// MarkReconciling sets Reconciling to True and removes Stalled: the
// controller is working on the current generation.
func MarkReconciling(obj meta.ObjectWithConditionsSetter, reason, messageFormat string, args ...any) {
	Delete(obj, meta.StalledCondition)
	MarkTrue(obj, meta.ReconcilingCondition, reason, messageFormat, args...)
}

// MarkStalled sets Stalled to True and removes Reconciling: the controller
// cannot make progress until the object or its inputs change.
func MarkStalled(obj meta.ObjectWithConditionsSetter, reason, messageFormat string, args ...any) {
	Delete(obj, meta.ReconcilingCondition)
	MarkTrue(obj, meta.StalledCondition, reason, messageFormat, args...)
}

// Delete removes the condition of type t; it does nothing when obj has
// none.
func Delete(obj meta.ObjectWithConditionsSetter, t string) {
	conds := obj.GetConditions()
	out := make([]metav1.Condition, 0, len(conds))
	for _, c := range conds {
		if c.Type != t {
			out = append(out, c)
		}
	}
	if len(out) != len(conds) {
		obj.SetConditions(out)
	}
}
