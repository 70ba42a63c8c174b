package image

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/reconcile"
)

// Reasons of the image kinds' conditions, next to those of apis/meta.
const (
	// InvalidPolicyReason: the ImagePolicy's ranking or tag filter can
	// never select a tag (a bad range, regular expression or extract); the
	// message holds the typed error of package version/policy. Stalled.
	InvalidPolicyReason = "InvalidPolicy"

	// NoMatchingTagReason: no tag of the repository passes the policy. The
	// policy is evaluated again after the next scan.
	NoMatchingTagReason = "NoMatchingTag"

	// ScanFailedReason: listing the repository's tags failed.
	ScanFailedReason = "ScanFailed"

	// GitOperationFailedReason: cloning, committing or pushing failed.
	GitOperationFailedReason = "GitOperationFailed"
)

// defaultTimeout is the timeout of one scan or automation run when the
// spec has none.
const defaultTimeout = 60 * time.Second

// dependencyRetry is how soon an object whose dependency is not ready
// looks again, besides the watches.
const dependencyRetry = 5 * time.Second

// stepError is a failed reconcile step with the reason its conditions
// carry; stalled marks a failure that retrying cannot fix.
type stepError struct {
	reason  string
	err     error
	stalled bool
	wait    bool
	retry   time.Duration
}

// Error returns the cause's message.
func (e *stepError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *stepError) Unwrap() error { return e.err }

// stall returns a failure that retrying cannot fix.
func stall(reason string, err error) error {
	return &stepError{reason: reason, err: err, stalled: true}
}

// fail returns a failure retried with the controller's backoff, or after
// retry when it is positive.
func fail(reason string, retry time.Duration, err error) error {
	return &stepError{reason: reason, err: err, retry: retry}
}

// waitFor returns a failure that is not retried: a watch brings the
// object back when the awaited change happens.
func waitFor(reason string, err error) error {
	return &stepError{reason: reason, err: err, wait: true}
}

// failf is fail with a formatted error.
func failf(reason string, retry time.Duration, format string, args ...any) error {
	return fail(reason, retry, fmt.Errorf(format, args...))
}

// finish sets the kstatus conditions of obj from the outcome of a
// reconcile and returns what Reconcile returns: on success Ready True with
// readyMessage and a requeue after interval (none when zero); on a stalled
// failure Stalled and Ready False and no retry; on another failure Ready
// False and a retry (none for waitFor).
func finish(obj meta.ObjectWithConditionsSetter, err error, readyMessage string, interval time.Duration) (ctrl.Result, error) {
	conditions.Delete(obj, meta.ReconcilingCondition)
	if err == nil {
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkTrue(obj, meta.ReadyCondition, meta.SucceededReason, readyMessage)
		if interval <= 0 {
			return ctrl.Result{}, nil
		}
		return reconcile.RequeueAfter(interval, 5), nil
	}
	se, ok := errors.AsType[*stepError](err)
	if !ok {
		se = &stepError{reason: meta.FailedReason, err: err}
	}
	msg := se.err.Error()
	if se.stalled {
		conditions.MarkStalled(obj, se.reason, msg)
		conditions.MarkFalse(obj, meta.ReadyCondition, se.reason, msg)
		return ctrl.Result{}, nil
	}
	conditions.Delete(obj, meta.StalledCondition)
	conditions.MarkFalse(obj, meta.ReadyCondition, se.reason, msg)
	if se.wait {
		return ctrl.Result{}, nil
	}
	if se.retry > 0 {
		return ctrl.Result{RequeueAfter: se.retry}, nil
	}
	return ctrl.Result{}, se.err
}

// timeout returns d, or defaultTimeout when d is nil or not positive.
func timeout(d *metav1.Duration) time.Duration {
	if d == nil || d.Duration <= 0 {
		return defaultTimeout
	}
	return d.Duration
}

// record emits an event through rec, which may be nil; a failed delivery
// is logged, not returned, as it must not fail the reconcile.
func record(ctx context.Context, rec *events.Recorder, obj client.Object, severity, reason, message string) {
	if rec == nil {
		return
	}
	if err := rec.Event(ctx, obj, severity, reason, message, nil); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "record event", "reason", reason)
	}
}

// readyOf returns a copy of obj's Ready condition, nil when it has none.
// Take it before a reconcile changes the conditions, for recordFailure.
func readyOf(obj meta.ObjectWithConditions) *metav1.Condition {
	return conditions.Get(obj, meta.ReadyCondition)
}

// recordFailure emits an error event about a failed reconcile of obj, with
// reason and err's message, unless obj's Ready condition (set by finish)
// has the status, reason and message of before, the Ready condition taken
// with readyOf when the reconcile started: a failure repeating on every
// retry is reported once, and again only when it changes. As a retry may
// start from a cached copy older than the last status write, an apparent
// change is checked against obj as stored, read through live when it is
// not nil; call recordFailure before writing the status.
func recordFailure(ctx context.Context, rec *events.Recorder, live client.Reader, obj meta.ObjectWithConditionsSetter, before *metav1.Condition, reason string, err error) {
	if rec == nil {
		return
	}
	after := conditions.Get(obj, meta.ReadyCondition)
	if sameReady(before, after) {
		return
	}
	if stored, ok := obj.DeepCopyObject().(meta.ObjectWithConditionsSetter); ok && live != nil {
		stored.SetConditions(nil)
		if getErr := live.Get(ctx, client.ObjectKeyFromObject(obj), stored); getErr == nil &&
			sameReady(conditions.Get(stored, meta.ReadyCondition), after) {
			return
		}
	}
	record(ctx, rec, obj, event.SeverityError, reason, err.Error())
}

// sameReady reports whether two Ready conditions, nil when absent, have
// the same status, reason and message.
func sameReady(a, b *metav1.Condition) bool {
	return a != nil && b != nil && a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message
}

// beginStatus starts the reconcile of obj, whose status is status: it notes
// the reconcile request being handled and returns the function that writes
// obj's status, observed generation and owned conditions in one patch,
// joining any failure into *retErr. Call that function deferred, so every
// return path writes the status exactly once.
func beginStatus(c client.Client, obj client.Object, status meta.StatusWithHandledReconcileRequestSetter) (func(ctx context.Context, retErr *error), error) {
	helper, err := patch.NewHelper(obj, c)
	if err != nil {
		return nil, err
	}
	if token, ok := meta.ReconcileAnnotationValue(obj.GetAnnotations()); ok {
		status.SetLastHandledReconcileRequest(token)
	}
	return func(ctx context.Context, retErr *error) {
		if err := helper.Patch(ctx, obj, patch.WithStatusObservedGeneration(),
			patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition)); err != nil {
			*retErr = errors.Join(*retErr, err)
		}
	}, nil
}
