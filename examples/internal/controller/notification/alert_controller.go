package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

// AlertReconciler checks Alerts: their inclusion and exclusion
// expressions compile, their event sources stay in the Alert's namespace
// when cross-namespace references are off, and their Provider exists and is
// Ready. Invalid expressions and forbidden namespaces stall the Alert; a
// missing or not-Ready Provider is retried, and a change of the Provider
// triggers a reconcile.
type AlertReconciler struct {
	// Client reads and patches Alerts and reads Providers. Required.
	Client client.Client

	// EventRecorder records failures and readiness. Nil (the default)
	// records nothing.
	EventRecorder *events.Recorder

	// NoCrossNamespaceRefs stalls Alerts with event sources in another
	// namespace. Default: false.
	NoCrossNamespaceRefs bool

	// Interval between reconciliations of a Ready Alert. Zero (the
	// default) means DefaultInterval.
	Interval time.Duration
}

// SetupWithManager registers the reconciler with mgr; it also watches
// Providers.
func (r *AlertReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&notificationv1.Alert{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		Watches(&notificationv1.Provider{}, handler.EnqueueRequestsFromMapFunc(r.alertsOf)).
		Named("alert").
		Complete(r)
}

// alertsOf returns the Alerts that refer to a Provider.
func (r *AlertReconciler) alertsOf(ctx context.Context, obj client.Object) []reconcile.Request {
	var list notificationv1.AlertList
	if err := r.Client.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		if list.Items[i].Spec.ProviderRef.Name == obj.GetName() {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return out
}

// Reconcile implements reconcile.Reconciler.
func (r *AlertReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var a notificationv1.Alert
	if err := r.Client.Get(ctx, req.NamespacedName, &a); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if a.Spec.Suspend {
		return ctrl.Result{}, nil
	}
	h, err := patch.NewHelper(&a, r.Client)
	if err != nil {
		return ctrl.Result{}, err
	}
	interval := r.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	return finish(ctx, h, &a, &a.Status.ReconcileRequestStatus, r.EventRecorder, interval, r.check(ctx, &a))
}

func (r *AlertReconciler) check(ctx context.Context, a *notificationv1.Alert) outcome {
	if err := ValidateAlert(a, r.NoCrossNamespaceRefs); err != nil {
		o := failure(err, ErrInvalidConfig)
		if errorsIsCrossNamespace(err) {
			o.reason = meta.AccessDeniedReason
		}
		return o
	}
	var p notificationv1.Provider
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: a.Spec.ProviderRef.Name}, &p)
	switch {
	case apierrors.IsNotFound(err):
		return outcome{err: fmt.Errorf("provider %s not found", a.Spec.ProviderRef.Name), reason: meta.DependencyNotReadyReason}
	case err != nil:
		return outcome{err: fmt.Errorf("get provider %s: %w", a.Spec.ProviderRef.Name, err), reason: meta.FailedReason}
	case !conditions.IsTrue(&p, meta.ReadyCondition):
		return outcome{err: fmt.Errorf("provider %s is not ready", p.Name), reason: meta.DependencyNotReadyReason}
	}
	return outcome{message: "alert forwards to provider " + p.Name}
}

// crossNamespaceError marks a forbidden cross-namespace event source.
type crossNamespaceError struct{ index int }

func (e *crossNamespaceError) Error() string {
	return fmt.Sprintf("eventSources[%d]: cross-namespace references are not allowed", e.index)
}

func (e *crossNamespaceError) Unwrap() error { return ErrInvalidConfig }

func errorsIsCrossNamespace(err error) bool {
	_, ok := errors.AsType[*crossNamespaceError](err)
	return ok
}

// ValidateAlert checks a's inclusion and exclusion expressions and, with
// noCrossNamespace, that its event sources stay in its namespace. Errors
// wrap [ErrInvalidConfig].
func ValidateAlert(a *notificationv1.Alert, noCrossNamespace bool) error {
	if _, err := CompileRegexps("inclusionList", a.Spec.InclusionList); err != nil {
		return err
	}
	if _, err := CompileRegexps("exclusionList", a.Spec.ExclusionList); err != nil {
		return err
	}
	if noCrossNamespace {
		for i, src := range a.Spec.EventSources {
			if src.Namespace != "" && src.Namespace != a.Namespace {
				return &crossNamespaceError{index: i}
			}
		}
	}
	return nil
}
