package notification

import (
	"context"
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

// DefaultReceiverInterval is how often a Receiver is reconciled when its
// spec sets no interval.
const DefaultReceiverInterval = 10 * time.Minute

// ReceiverReconciler checks Receivers and publishes their webhook path:
// status.webhookPath is WebhookPath(token, name, namespace) once the
// Secret's token is read. Invalid resources stall the Receiver; a missing
// Secret or token is retried, and reconciled again as soon as the Secret
// changes (the old path stays until a token is read).
type ReceiverReconciler struct {
	// Client reads and patches Receivers. Required.
	Client client.Client

	// APIReader reads Secrets, uncached. Nil (the default) means Client.
	APIReader client.Reader

	// EventRecorder records failures and readiness. Nil (the default)
	// records nothing.
	EventRecorder *events.Recorder

	// NoCrossNamespaceRefs stalls Receivers with resources in another
	// namespace. Default: false.
	NoCrossNamespaceRefs bool
}

// SetupWithManager registers the reconciler with mgr. Besides Receivers,
// it watches the metadata of Secrets: creating, changing or deleting a
// Secret reconciles the Receivers of its namespace whose spec.secretRef
// names it (found with a field index in mgr's cache), so a token created
// after its Receiver, or rotated, changes status.webhookPath at once.
// Only one ReceiverReconciler may be registered with a manager.
func (r *ReceiverReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&notificationv1.Receiver{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested()))
	b, err := watchSecrets(mgr, b, &notificationv1.Receiver{},
		func() client.ObjectList { return &notificationv1.ReceiverList{} }, receiverSecretIndex, receiverSecrets)
	if err != nil {
		return fmt.Errorf("set up receiver controller: %w", err)
	}
	return b.Named("receiver").Complete(r)
}

// Reconcile implements reconcile.Reconciler.
func (r *ReceiverReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var rcv notificationv1.Receiver
	if err := r.Client.Get(ctx, req.NamespacedName, &rcv); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if rcv.Spec.Suspend {
		return ctrl.Result{}, nil
	}
	h, err := patch.NewHelper(&rcv, r.Client)
	if err != nil {
		return ctrl.Result{}, err
	}
	interval := DefaultReceiverInterval
	if rcv.Spec.Interval != nil && rcv.Spec.Interval.Duration > 0 {
		interval = rcv.Spec.Interval.Duration
	}
	return finish(ctx, h, &rcv, &rcv.Status.ReconcileRequestStatus, r.EventRecorder, interval, r.check(ctx, &rcv))
}

func (r *ReceiverReconciler) check(ctx context.Context, rcv *notificationv1.Receiver) outcome {
	if err := ValidateReceiver(rcv, r.NoCrossNamespaceRefs); err != nil {
		return failure(err, ErrInvalidConfig)
	}
	reader := r.APIReader
	if reader == nil {
		reader = r.Client
	}
	token, err := ReceiverToken(ctx, reader, rcv)
	if err != nil {
		o := failure(err)
		o.reason = meta.InvalidConfigReason
		return o
	}
	rcv.Status.WebhookPath = WebhookPath(string(token), rcv.Name, rcv.Namespace)
	return outcome{message: "receiver ready at " + rcv.Status.WebhookPath}
}

// ValidateReceiver checks rcv's type and resources: each needs an
// apiVersion, matchLabels only with name "*", and with noCrossNamespace no
// other namespace than rcv's. Errors wrap [ErrInvalidConfig].
func ValidateReceiver(rcv *notificationv1.Receiver, noCrossNamespace bool) error {
	switch rcv.Spec.Type {
	case "", notificationv1.ReceiverGeneric, notificationv1.ReceiverGenericHMAC, notificationv1.ReceiverGitHub:
	default:
		return fmt.Errorf("receiver type %q: %w", rcv.Spec.Type, ErrInvalidConfig)
	}
	for i := range rcv.Spec.Resources {
		if _, _, err := receiverTarget(rcv, i, noCrossNamespace); err != nil {
			return err
		}
	}
	return nil
}
