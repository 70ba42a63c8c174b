package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

// ProviderReconciler checks Providers: the type, the address (from the
// spec or the Secret), the token generic-hmac needs and the CA
// certificates. Ready is True when the Provider can be used; a problem in
// the spec stalls it, a missing or incomplete Secret is retried, and
// reconciled again as soon as the Secret changes.
type ProviderReconciler struct {
	// Client reads and patches Providers. Required.
	Client client.Client

	// APIReader reads Secrets, uncached. Nil (the default) means Client.
	APIReader client.Reader

	// EventRecorder records failures and readiness. Nil (the default)
	// records nothing.
	EventRecorder *events.Recorder

	// AllowInsecureHTTP accepts plain http:// addresses. Default: false
	// (they stall the Provider).
	AllowInsecureHTTP bool

	// Interval between reconciliations of a Ready Provider. Zero (the
	// default) means DefaultInterval.
	Interval time.Duration
}

// SetupWithManager registers the reconciler with mgr. Besides Providers,
// it watches the metadata of Secrets: creating, changing or deleting a
// Secret reconciles the Providers of its namespace whose spec.secretRef or
// spec.certSecretRef names it (found with a field index in mgr's cache),
// so a Secret created after its Provider, or rotated, is picked up at once.
// Only one ProviderReconciler may be registered with a manager.
func (r *ProviderReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&notificationv1.Provider{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested()))
	b, err := watchSecrets(mgr, b, &notificationv1.Provider{},
		func() client.ObjectList { return &notificationv1.ProviderList{} }, providerSecretIndex, providerSecrets)
	if err != nil {
		return fmt.Errorf("set up provider controller: %w", err)
	}
	return b.Named("provider").Complete(r)
}

// Reconcile implements reconcile.Reconciler.
func (r *ProviderReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var p notificationv1.Provider
	if err := r.Client.Get(ctx, req.NamespacedName, &p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if p.Spec.Suspend {
		return ctrl.Result{}, nil
	}
	h, err := patch.NewHelper(&p, r.Client)
	if err != nil {
		return ctrl.Result{}, err
	}
	reader := r.APIReader
	if reader == nil {
		reader = r.Client
	}
	o := outcome{message: "provider is ready"}
	t, err := resolveProvider(ctx, reader, &p, r.AllowInsecureHTTP)
	if err != nil {
		o = failure(err, ErrInvalidConfig)
	} else {
		o.message = "provider ready for " + t.redacted()
	}
	if errors.Is(err, ErrInsecureAddress) {
		o.reason = meta.InsecureConnectionsDisallowedReason
	}
	interval := r.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	return finish(ctx, h, &p, &p.Status.ReconcileRequestStatus, r.EventRecorder, interval, o)
}
