package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/reconcile"
)

const (
	// Finalizer is the finalizer both reconcilers put on their objects, so
	// that the stored artifacts are removed when an object is deleted.
	Finalizer = "source.sluice.dev/finalizer"

	// DefaultTimeout bounds one fetch when spec.timeout is not set.
	DefaultTimeout = 60 * time.Second

	// jitterPercent spreads the periodic requeues.
	jitterPercent = 10
)

// ownedConditions returns the conditions the source reconcilers write.
func ownedConditions() []string {
	return []string{
		meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition,
		meta.ArtifactInStorageCondition, meta.SourceVerifiedCondition, meta.FetchFailedCondition,
	}
}

// summary returns how the source conditions fold into Ready.
func summary() conditions.SummaryOptions {
	return conditions.SummaryOptions{
		Conditions:       []string{meta.ArtifactInStorageCondition, meta.SourceVerifiedCondition},
		NegativePolarity: []string{meta.FetchFailedCondition},
	}
}

// failure is why a reconcile did not produce an artifact: the condition it
// marks, its reason, and whether it is permanent (Stalled) or retried.
type failure struct {
	// stalled marks a failure that will not go away without a change of
	// the object or of what it refers to.
	stalled bool
	// condition is the condition marked: FetchFailed (True),
	// SourceVerified or ArtifactInStorage (False).
	condition string
	// reason is the condition's reason, one of meta's reasons.
	reason string
	// retryAfter, when positive, retries after this delay instead of the
	// rate-limited backoff.
	retryAfter time.Duration
	err        error
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// stalled returns a permanent failure of the fetch.
func stalled(reason string, err error) error {
	return &failure{stalled: true, condition: meta.FetchFailedCondition, reason: reason, err: err}
}

// fetchFailed returns a failure of the fetch that is retried with backoff.
func fetchFailed(reason string, err error) error {
	return &failure{condition: meta.FetchFailedCondition, reason: reason, err: err}
}

// sourceObject is a GitRepository or an OCIRepository.
type sourceObject interface {
	client.Object
	meta.ObjectWithConditionsSetter
}

// common is what both reconcilers share.
type common struct {
	client   client.Client
	storage  *storage.Storage
	recorder *events.Recorder
	kind     string
}

// sourceState is the part of a source's spec and status the shared flow
// reads.
type sourceState struct {
	status   *sourcev1.ArtifactStatus
	interval time.Duration
	timeout  *time.Duration
	suspend  bool
}

// run is the reconcile flow both kinds share: finalizer, suspend, the
// Reconciling marker of a new generation, the kind's work bounded by the
// timeout, conditions, one status patch and the requeue.
func (c *common) run(ctx context.Context, obj sourceObject, st sourceState, work func(ctx context.Context) (newRevision string, err error)) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx)
	h, err := patch.NewHelper(obj, c.client)
	if err != nil {
		return ctrl.Result{}, err
	}
	key := storage.Object{Kind: c.kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
	owned := patch.WithOwnedConditions(ownedConditions()...)

	step, err := reconcile.Finalize(ctx, obj, Finalizer, func(ctx context.Context) error {
		return c.storage.Remove(ctx, key)
	})
	if step != reconcile.Continue {
		return reconcile.ResultFor(errors.Join(err, h.Patch(ctx, obj, owned)))
	}

	if st.suspend {
		log.V(1).Info("suspended, not reconciling")
		// Only the finalizer may have changed.
		return reconcile.ResultFor(h.Patch(ctx, obj, owned))
	}

	if st.status.ObservedGeneration != obj.GetGeneration() && !conditions.IsTrue(obj, meta.ReconcilingCondition) {
		// A new generation: let watchers see the work start, in one write,
		// and come back at once for the work itself.
		conditions.MarkReconciling(obj, meta.ProgressingReason, "reconciling generation %d", obj.GetGeneration())
		conditions.SetSummary(obj, summary())
		if err := h.Patch(ctx, obj, owned); err != nil {
			return reconcile.ResultFor(err)
		}
		return ctrl.Result{RequeueAfter: time.Millisecond}, nil
	}

	prevReady := conditions.Get(obj, meta.ReadyCondition)
	token, requested := meta.ReconcileRequested(obj.GetAnnotations(), st.status.GetLastHandledReconcileRequest())
	timeout := DefaultTimeout
	if st.timeout != nil && *st.timeout > 0 {
		timeout = *st.timeout
	}
	workCtx, cancel := context.WithTimeout(ctx, timeout)
	newRevision, workErr := work(workCtx)
	cancel()
	if requested {
		st.status.SetLastHandledReconcileRequest(token)
	}

	var f *failure
	switch {
	case workErr == nil:
		conditions.Delete(obj, meta.FetchFailedCondition)
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.Delete(obj, meta.StalledCondition)
	case errors.As(workErr, &f):
		msg := f.err.Error()
		switch f.condition {
		case meta.FetchFailedCondition:
			conditions.MarkTrue(obj, f.condition, f.reason, "%s", msg)
		default:
			conditions.Delete(obj, meta.FetchFailedCondition)
			conditions.MarkFalse(obj, f.condition, f.reason, "%s", msg)
		}
		if f.stalled {
			conditions.MarkStalled(obj, f.reason, "%s", msg)
		} else {
			conditions.MarkReconciling(obj, meta.ProgressingWithRetryReason, "%s", msg)
		}
	default:
		conditions.MarkTrue(obj, meta.FetchFailedCondition, meta.FailedReason, "%s", workErr.Error())
		conditions.MarkReconciling(obj, meta.ProgressingWithRetryReason, "%s", workErr.Error())
	}
	conditions.SetSummary(obj, summary())
	if err := h.Patch(ctx, obj, owned, patch.WithStatusObservedGeneration()); err != nil {
		return reconcile.ResultFor(errors.Join(workErr, err))
	}

	// Announce a failure once, not at every retry.
	announce := !sameCondition(prevReady, conditions.Get(obj, meta.ReadyCondition))
	switch {
	case workErr == nil:
		if newRevision != "" {
			c.event(ctx, obj, event.SeverityInfo, meta.SucceededReason,
				conditions.GetMessage(obj, meta.ArtifactInStorageCondition),
				map[string]string{event.MetadataRevision: newRevision})
		}
		return reconcile.RequeueAfter(st.interval, jitterPercent), nil
	case f != nil && f.stalled:
		if announce {
			c.event(ctx, obj, event.SeverityError, f.reason, workErr.Error(), nil)
		}
		// Stalled until something changes; referenced Secrets are not
		// watched, so look again at the interval.
		log.Error(workErr, "stalled", "reason", f.reason)
		return reconcile.RequeueAfter(st.interval, jitterPercent), nil
	case f != nil && f.retryAfter > 0:
		if announce {
			c.event(ctx, obj, event.SeverityError, f.reason, workErr.Error(), nil)
		}
		return reconcile.ResultFor(reconcile.Retryable(workErr, f.retryAfter))
	default:
		reason := meta.FailedReason
		if f != nil {
			reason = f.reason
		}
		if announce {
			c.event(ctx, obj, event.SeverityError, reason, workErr.Error(), nil)
		}
		return ctrl.Result{}, workErr
	}
}

// event records an event when a recorder is configured; a failed delivery
// is logged, not returned.
func (c *common) event(ctx context.Context, obj client.Object, severity, reason, msg string, md map[string]string) {
	if c.recorder == nil || msg == "" {
		return
	}
	if err := c.recorder.Event(ctx, obj, severity, reason, msg, md); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "event not delivered", "reason", reason)
	}
}

// sameCondition reports whether a and b have the same status, reason and
// message; two absent conditions are the same.
func sameCondition(a, b *metav1.Condition) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message
}

// secretData reads the data of the Secret name in namespace. A missing
// Secret is a retried failure with reason, since it may yet be created.
func secretData(ctx context.Context, c client.Reader, namespace, name, reason string) (map[string][]byte, error) {
	var s corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fetchFailed(reason, fmt.Errorf("secret %s/%s not found", namespace, name))
		}
		return nil, fetchFailed(meta.FailedReason, fmt.Errorf("get secret %s/%s: %w", namespace, name, err))
	}
	return s.Data, nil
}

// ignorePatterns returns the patterns of spec.ignore, one per line.
func ignorePatterns(ignore *string) []string {
	if ignore == nil {
		return nil
	}
	return strings.Split(strings.ReplaceAll(*ignore, "\r\n", "\n"), "\n")
}

// keepUpdateTime keeps the LastUpdateTime of prev in a when a is the same
// artifact, and reports whether a is a new one.
func keepUpdateTime(prev *meta.Artifact, a *meta.Artifact) bool {
	if prev != nil && prev.Revision == a.Revision && prev.Digest == a.Digest {
		a.LastUpdateTime = prev.LastUpdateTime
		return false
	}
	return true
}

// equalPtr reports whether two optional strings are equal.
func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
