package conditions

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// SummaryOptions lists the conditions [Summary] folds into Ready. The zero
// value summarises only Stalled and Reconciling.
type SummaryOptions struct {
	// Conditions are owned conditions of normal polarity: True is good.
	// Their order breaks ties within a priority level. Default: none.
	Conditions []string

	// NegativePolarity are owned conditions of abnormal-true polarity,
	// such as FetchFailed: True means the object is not ready. Their order
	// breaks ties within a priority level. Default: none.
	NegativePolarity []string

	// ReadyReason is the reason of a True Ready. Default:
	// meta.SucceededReason.
	ReadyReason string

	// ReadyMessage is the message of a True Ready. Default: the message of
	// the first True condition of Conditions that has one.
	ReadyMessage string
}

// Summary computes the Ready condition of obj from Stalled, Reconciling
// and the owned conditions of opts. The first rule that matches wins:
//
//  1. Stalled is True: Ready is False with Stalled's reason and message.
//  2. A NegativePolarity condition is True: Ready is False with its reason
//     and message.
//  3. A Conditions condition is False: Ready is False with its reason and
//     message.
//  4. Reconciling is True: Ready is Unknown with Reconciling's reason and
//     message.
//  5. A Conditions or NegativePolarity condition is Unknown: Ready is
//     Unknown with its reason and message.
//  6. Otherwise Ready is True with opts.ReadyReason and opts.ReadyMessage.
//
// Failures come before progress so that a user sees why a reconcile that
// is still retrying last failed; Stalled comes first because it is final.
// Owned conditions that are absent are ignored: a controller sets the
// conditions its reconcile reached. The returned condition has
// ObservedGeneration set from obj and no LastTransitionTime; [SetSummary]
// stores it.
func Summary(obj meta.ObjectWithConditions, opts SummaryOptions) metav1.Condition {
	ready := func(s metav1.ConditionStatus, c *metav1.Condition) metav1.Condition {
		return metav1.Condition{
			Type:               meta.ReadyCondition,
			Status:             s,
			Reason:             c.Reason,
			Message:            c.Message,
			ObservedGeneration: obj.GetGeneration(),
		}
	}
	find := func(types []string, s metav1.ConditionStatus) *metav1.Condition {
		for _, t := range types {
			if c := Get(obj, t); c != nil && c.Status == s {
				return c
			}
		}
		return nil
	}
	if c := find([]string{meta.StalledCondition}, metav1.ConditionTrue); c != nil {
		return ready(metav1.ConditionFalse, c)
	}
	if c := find(opts.NegativePolarity, metav1.ConditionTrue); c != nil {
		return ready(metav1.ConditionFalse, c)
	}
	if c := find(opts.Conditions, metav1.ConditionFalse); c != nil {
		return ready(metav1.ConditionFalse, c)
	}
	if c := find([]string{meta.ReconcilingCondition}, metav1.ConditionTrue); c != nil {
		return ready(metav1.ConditionUnknown, c)
	}
	if c := find(append(append([]string(nil), opts.Conditions...), opts.NegativePolarity...), metav1.ConditionUnknown); c != nil {
		return ready(metav1.ConditionUnknown, c)
	}
	out := metav1.Condition{
		Reason:  opts.ReadyReason,
		Message: opts.ReadyMessage,
	}
	if out.Reason == "" {
		out.Reason = meta.SucceededReason
	}
	if out.Message == "" {
		for _, t := range opts.Conditions {
			if c := Get(obj, t); c != nil && c.Status == metav1.ConditionTrue && c.Message != "" {
				out.Message = c.Message
				break
			}
		}
	}
	return ready(metav1.ConditionTrue, &out)
}

// SetSummary computes Ready with [Summary] and sets it with [Set].
func SetSummary(obj meta.ObjectWithConditionsSetter, opts SummaryOptions) {
	Set(obj, Summary(obj, opts))
}

// MissingReason is the reason [Mirror] gives when the source object has no
// condition of the mirrored type; it is [meta.ConditionMissingReason].
const MissingReason = meta.ConditionMissingReason

// Mirror sets the condition toType of obj from the condition fromType of
// from, for example a dependency's Ready as DependencyReady. Status, reason
// and message are copied; ObservedGeneration comes from obj, since obj's
// controller made the observation. When from has no such condition, the
// mirrored condition is Unknown with [MissingReason].
func Mirror(obj meta.ObjectWithConditionsSetter, toType string, from meta.ObjectWithConditions, fromType string) {
	c := Get(from, fromType)
	if c == nil {
		MarkUnknown(obj, toType, MissingReason, "%s/%s has no %s condition",
			from.GetNamespace(), from.GetName(), fromType)
		return
	}
	Set(obj, metav1.Condition{Type: toType, Status: c.Status, Reason: c.Reason, Message: c.Message})
}
