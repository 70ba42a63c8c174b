package notification

import (
	"context"
	"errors"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/reconcile"
)

// DefaultInterval is how often a Provider or an Alert is reconciled again
// when its reconciler sets no Interval. Changes of the Secrets and
// Providers they use are watched and need not wait for it.
const DefaultInterval = 10 * time.Minute

// retryAfter is the delay before a reconcile that failed on something
// outside the object (a missing Secret or Provider) is retried.
const retryAfter = 30 * time.Second

// notificationObject is a notification kind with its status parts.
type notificationObject interface {
	client.Object
	meta.ObjectWithConditionsSetter
}

// outcome is how a reconcile ended.
type outcome struct {
	// err is nil on success.
	err error
	// reason is the Ready (and Stalled) reason on failure.
	reason string
	// stalled marks a failure that only a change of the object fixes.
	stalled bool
	// message is Ready's message on success.
	message string
}

// finish records o in obj's conditions, marks the reconcile request
// handled, writes the status once and emits an event when Ready changed.
func finish(ctx context.Context, h *patch.Helper, obj notificationObject, rs *meta.ReconcileRequestStatus,
	rec *events.Recorder, interval time.Duration, o outcome) (ctrl.Result, error) {
	wasReady := conditions.IsTrue(obj, meta.ReadyCondition)
	if token, ok := meta.ReconcileAnnotationValue(obj.GetAnnotations()); ok {
		rs.SetLastHandledReconcileRequest(token)
	}
	switch {
	case o.err == nil:
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkTrue(obj, meta.ReadyCondition, meta.SucceededReason, "%s", o.message)
	case o.stalled:
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.MarkStalled(obj, o.reason, "%s", o.err.Error())
		conditions.MarkFalse(obj, meta.ReadyCondition, o.reason, "%s", o.err.Error())
	default:
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkReconciling(obj, meta.ProgressingWithRetryReason, "retrying: %s", o.err.Error())
		conditions.MarkFalse(obj, meta.ReadyCondition, o.reason, "%s", o.err.Error())
	}
	perr := h.Patch(ctx, obj,
		patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition),
		patch.WithStatusObservedGeneration())
	if perr != nil {
		return reconcile.ResultFor(perr)
	}
	if rec != nil {
		switch {
		case o.err != nil:
			_ = rec.Event(ctx, obj, event.SeverityError, o.reason, o.err.Error(), nil)
		case !wasReady:
			_ = rec.Event(ctx, obj, event.SeverityInfo, meta.SucceededReason, o.message, nil)
		}
	}
	switch {
	case o.err == nil:
		return reconcile.RequeueAfter(interval, 10), nil
	case o.stalled:
		return reconcile.ResultFor(reconcile.Terminal(o.err))
	default:
		return reconcile.ResultFor(reconcile.Retryable(o.err, retryAfter))
	}
}

// failure classifies err: invalid configuration in the spec stalls, the
// rest is retried.
func failure(err error, stalledOn ...error) outcome {
	for _, s := range stalledOn {
		if errors.Is(err, s) {
			return outcome{err: err, reason: meta.InvalidConfigReason, stalled: true}
		}
	}
	return outcome{err: err, reason: meta.FailedReason}
}
