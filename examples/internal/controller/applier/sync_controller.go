package applier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	apiacl "github.com/sluice-dev/sluice/apis/acl"
	apievent "github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/runtime/impersonation"
	"github.com/sluice-dev/sluice/runtime/metrics"
	"github.com/sluice-dev/sluice/runtime/patch"
	"github.com/sluice-dev/sluice/runtime/predicates"
	"github.com/sluice-dev/sluice/runtime/reconcile"
	"github.com/sluice-dev/sluice/ssa"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/storage"
)

const (
	// ControllerName is the name of the controller SetupWithManager
	// registers, and the reporting controller of its events.
	ControllerName = "applier"

	// DefaultFieldManager is the server-side apply field manager of the
	// objects a Sync applies, when SyncReconciler.FieldManager is empty.
	DefaultFieldManager = "sluice-applier"

	// DefaultMaxConcurrentReconciles is the number of Syncs reconciled at
	// once when SyncReconciler.MaxConcurrentReconciles is zero.
	DefaultMaxConcurrentReconciles = 4

	// sourceRefIndex indexes Syncs by "<Kind>/<namespace>/<name>" of their
	// source, so that a new artifact reconciles its Syncs at once.
	sourceRefIndex = ".spec.sourceRef"

	// dependsOnIndex indexes Syncs by the names of the Syncs of their
	// spec.dependsOn, so that a dependency becoming Ready reconciles its
	// dependents at once.
	dependsOnIndex = ".spec.dependsOn"

	// requeueJitter is the jitter, in percent, of periodic requeues.
	requeueJitter = 5
)

// ownedConditions returns the condition types the applier writes.
func ownedConditions() []string {
	return []string{meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition, meta.HealthyCondition}
}

// SyncReconciler reconciles Syncs. Fill its exported fields and call
// SetupWithManager; the zero values are the documented defaults.
type SyncReconciler struct {
	// Client reads and writes Syncs and reads their sources. Default:
	// the manager's client, set by SetupWithManager.
	Client client.Client

	// APIReader reads, without a cache, the Namespaces that cross-namespace
	// checks look at and the kubeconfig Secrets. Default: the manager's
	// API reader, set by SetupWithManager, else Client.
	APIReader client.Reader

	// Config is the controller's own rest.Config, from which the clients
	// that apply (impersonating a service account, or from a kubeconfig
	// Secret) are built. Default: the manager's config, set by
	// SetupWithManager.
	Config *rest.Config

	// RESTMapper maps kinds to resources for the clients that apply to the
	// controller's own cluster. Default: the manager's REST mapper, set by
	// SetupWithManager.
	RESTMapper apimeta.RESTMapper

	// HTTPClient downloads artifacts. Default: http.DefaultClient; each
	// download is bounded by the Sync's timeout.
	HTTPClient *http.Client

	// EventRecorder records events about Syncs. Default nil: no events.
	EventRecorder *events.Recorder

	// Metrics records reconcile metrics. Default nil: no metrics.
	Metrics *metrics.Recorder

	// Access is the multi-tenancy lockdown: the service account
	// impersonated for Syncs that name none, and whether cross-namespace
	// source references are refused. Default: the zero AccessOptions,
	// Syncs without a service account act as the controller and sources'
	// spec.accessFrom decides.
	Access flags.AccessOptions

	// FieldManager is the server-side apply field manager. Default:
	// DefaultFieldManager.
	FieldManager string

	// MaxConcurrentReconciles bounds the Syncs reconciled at once.
	// Default: DefaultMaxConcurrentReconciles.
	MaxConcurrentReconciles int
}

// SetupWithManager fills the unset fields from mgr, indexes Syncs by source
// and by dependency, and registers the controller: it reconciles a Sync when
// its spec changes, when a reconcile is requested through the annotation,
// when the artifact of its source changes, and when a Sync of its
// spec.dependsOn becomes Ready.
func (r *SyncReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Client == nil {
		r.Client = mgr.GetClient()
	}
	if r.APIReader == nil {
		r.APIReader = mgr.GetAPIReader()
	}
	if r.Config == nil {
		r.Config = mgr.GetConfig()
	}
	if r.RESTMapper == nil {
		r.RESTMapper = mgr.GetRESTMapper()
	}
	ctx := context.Background()
	if err := mgr.GetFieldIndexer().IndexField(ctx, &applyv1.Sync{}, sourceRefIndex, func(o client.Object) []string {
		s, ok := o.(*applyv1.Sync)
		if !ok {
			return nil
		}
		return []string{sourceKey(s.Spec.SourceRef.Kind, s.SourceNamespace(), s.Spec.SourceRef.Name)}
	}); err != nil {
		return fmt.Errorf("index syncs by source: %w", err)
	}
	if err := mgr.GetFieldIndexer().IndexField(ctx, &applyv1.Sync{}, dependsOnIndex, func(o client.Object) []string {
		s, ok := o.(*applyv1.Sync)
		if !ok {
			return nil
		}
		names := make([]string, 0, len(s.Spec.DependsOn))
		for _, d := range s.Spec.DependsOn {
			names = append(names, d.Name)
		}
		return names
	}); err != nil {
		return fmt.Errorf("index syncs by dependency: %w", err)
	}
	workers := r.MaxConcurrentReconciles
	if workers <= 0 {
		workers = DefaultMaxConcurrentReconciles
	}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(ControllerName).
		For(&applyv1.Sync{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		Watches(&sourcev1.GitRepository{}, handler.EnqueueRequestsFromMapFunc(r.syncsForSource(sourcev1.GitRepositoryKind)),
			builder.WithPredicates(sourceChanged())).
		Watches(&sourcev1.OCIRepository{}, handler.EnqueueRequestsFromMapFunc(r.syncsForSource(sourcev1.OCIRepositoryKind)),
			builder.WithPredicates(sourceChanged())).
		Watches(&applyv1.Sync{}, handler.EnqueueRequestsFromMapFunc(r.dependentsOf),
			builder.WithPredicates(becameReady())).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up %s controller: %w", ControllerName, err)
	}
	return nil
}

func sourceKey(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

// syncsForSource lists the Syncs that refer to a source of kind.
func (r *SyncReconciler) syncsForSource(kind string) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []ctrl.Request {
		var list applyv1.SyncList
		if err := r.Client.List(ctx, &list, client.MatchingFields{sourceRefIndex: sourceKey(kind, o.GetNamespace(), o.GetName())}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list syncs of source", "source", kind+"/"+o.GetNamespace()+"/"+o.GetName())
			return nil
		}
		reqs := make([]ctrl.Request, 0, len(list.Items))
		for i := range list.Items {
			reqs = append(reqs, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: list.Items[i].Namespace, Name: list.Items[i].Name}})
		}
		return reqs
	}
}

// dependentsOf lists the Syncs of o's namespace whose spec.dependsOn names
// the Sync o.
func (r *SyncReconciler) dependentsOf(ctx context.Context, o client.Object) []ctrl.Request {
	var list applyv1.SyncList
	if err := r.Client.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{dependsOnIndex: o.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list dependents of sync", "sync", o.GetNamespace()+"/"+o.GetName())
		return nil
	}
	reqs := make([]ctrl.Request, 0, len(list.Items))
	for i := range list.Items {
		reqs = append(reqs, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: list.Items[i].Namespace, Name: list.Items[i].Name}})
	}
	return reqs
}

// becameReady passes the updates of a Sync that make it Ready for its
// generation, as checkDependencies judges it; other updates, creations and
// deletions of Syncs leave their dependents to their own schedule.
func becameReady() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldSync, okOld := e.ObjectOld.(*applyv1.Sync)
			newSync, okNew := e.ObjectNew.(*applyv1.Sync)
			if !okOld || !okNew {
				return false
			}
			return readyForGeneration(newSync) && !readyForGeneration(oldSync)
		},
	}
}

// readyForGeneration reports whether s is Ready for its current
// generation.
func readyForGeneration(s *applyv1.Sync) bool {
	ready := conditions.Get(s, meta.ReadyCondition)
	return ready != nil && conditions.IsTrue(s, meta.ReadyCondition) &&
		ready.ObservedGeneration == s.Generation && s.Status.ObservedGeneration == s.Generation
}

// sourceChanged passes source updates that change the artifact or the spec
// (spec.accessFrom among others).
func sourceChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldSrc, okOld := e.ObjectOld.(sourcev1.Source)
			newSrc, okNew := e.ObjectNew.(sourcev1.Source)
			if !okOld || !okNew {
				return false
			}
			if e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() {
				return true
			}
			oldArt, newArt := oldSrc.GetArtifact(), newSrc.GetArtifact()
			if oldArt == nil || newArt == nil {
				return oldArt != newArt
			}
			return oldArt.Digest != newArt.Digest || oldArt.Revision != newArt.Revision || oldArt.URL != newArt.URL
		},
	}
}

// failure is a failed reconcile: the Ready reason, and whether the Sync is
// stalled (it needs a change of its own or of its inputs) rather than
// retried.
type failure struct {
	reason  string
	stalled bool
	err     error
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// workDirError hides the work folder of one attempt in the message of err,
// so that a failure repeated at every attempt keeps one message (and one
// event) and the controller's file layout stays out of statuses.
type workDirError struct {
	dir string
	err error
}

func (e *workDirError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.dir, "<work dir>")
}

func (e *workDirError) Unwrap() error { return e.err }

func retryable(reason string, err error) error { return &failure{reason: reason, err: err} }
func stalled(reason string, err error) error {
	return &failure{reason: reason, stalled: true, err: err}
}

// Reconcile reconciles one Sync; see the package documentation.
func (r *SyncReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	start := time.Now()
	log := ctrl.LoggerFrom(ctx)

	obj := &applyv1.Sync{}
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) && r.Metrics != nil {
			// Gone without our finalizer (removed by hand, say): drop
			// its series too.
			r.Metrics.DeleteKey(r.Metrics.Kind(&applyv1.Sync{}), req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	helper, err := patch.NewHelper(obj, r.Client)
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("reconcile sync %s: %w", req.NamespacedName, err)
	}
	// A failure is reported by an event only when it changes Ready, so
	// that a Sync failing the same way at every retry emits one event.
	readyBefore := conditions.Get(obj, meta.ReadyCondition)
	defer func() {
		// The status is written even when ctx ended, so use a context of
		// its own.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := helper.Patch(pctx, obj, patch.WithOwnedConditions(ownedConditions()...), patch.WithStatusObservedGeneration()); err != nil {
			retErr = errors.Join(retErr, fmt.Errorf("patch sync %s: %w", req.NamespacedName, err))
		}
		if r.Metrics != nil {
			r.Metrics.RecordDuration(obj, start)
			r.Metrics.RecordConditions(obj)
			r.Metrics.RecordSuspend(obj, obj.Spec.Suspend)
		}
	}()

	hadFinalizer := controllerutil.ContainsFinalizer(obj, applyv1.SyncFinalizer)
	fin, err := reconcile.Finalize(ctx, obj, applyv1.SyncFinalizer, r.finalizer(obj))
	switch fin {
	case reconcile.Finalized:
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.Delete(obj, meta.StalledCondition)
		return ctrl.Result{}, nil
	case reconcile.CleanupFailed:
		conditions.MarkReconciling(obj, meta.ProgressingWithRetryReason, "finalization failed, retrying in %s", obj.RetryInterval())
		r.event(ctx, obj, apievent.SeverityError, reconcile.FinalizationFailedReason, err.Error())
		log.Error(err, "finalize sync")
		return reconcile.RequeueAfter(obj.RetryInterval(), requeueJitter), nil
	case reconcile.Continue:
		if !hadFinalizer && !obj.Spec.Suspend {
			// Persist the finalizer before applying anything, so that
			// no object is applied that a deletion would not prune.
			conditions.MarkReconciling(obj, meta.ProgressingReason, "reconciling generation %d", obj.Generation)
			conditions.MarkUnknown(obj, meta.ReadyCondition, meta.ProgressingReason, "reconciling generation %d", obj.Generation)
			return ctrl.Result{RequeueAfter: time.Millisecond}, nil
		}
	}

	if obj.Spec.Suspend {
		markSuspended(obj)
		return ctrl.Result{}, nil
	}

	lastHandled := obj.Status.GetLastHandledReconcileRequest()
	_, forceRequested := meta.ForceRequested(obj.GetAnnotations(), lastHandled)
	if token, ok := meta.ReconcileRequested(obj.GetAnnotations(), lastHandled); ok {
		obj.Status.SetLastHandledReconcileRequest(token)
	}

	conditions.MarkReconciling(obj, meta.ProgressingReason, "reconciling generation %d", obj.Generation)
	tctx, cancel := context.WithTimeout(ctx, obj.Timeout())
	defer cancel()
	rev, changes, err := r.reconcileSync(tctx, obj, obj.Spec.Force || forceRequested)
	if err == nil {
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkTrue(obj, meta.ReadyCondition, meta.ReconciliationSucceededReason, "applied revision %s", rev)
		if changes.Changed() {
			r.event(ctx, obj, apievent.SeverityInfo, meta.ReconciliationSucceededReason,
				fmt.Sprintf("applied revision %s\n%s", rev, changeSummary(changes)))
		}
		log.V(1).Info("reconciled", "revision", rev, "changes", changes.ToMap())
		return reconcile.RequeueAfter(obj.Spec.Interval.Duration, requeueJitter), nil
	}

	var f *failure
	if !errors.As(err, &f) {
		f = &failure{reason: meta.ReconciliationFailedReason, err: err}
	}
	msg := err.Error()
	conditions.MarkFalse(obj, meta.ReadyCondition, f.reason, "%s", msg)
	newFailure := readyChanged(readyBefore, conditions.Get(obj, meta.ReadyCondition))
	if f.stalled {
		conditions.MarkStalled(obj, f.reason, "%s", msg)
		if newFailure {
			r.event(ctx, obj, apievent.SeverityError, f.reason, msg)
		}
		log.Error(err, "reconcile stalled")
		return reconcile.RequeueAfter(obj.Spec.Interval.Duration, requeueJitter), nil
	}
	retry := obj.RetryInterval()
	conditions.MarkReconciling(obj, meta.ProgressingWithRetryReason, "retrying in %s after: %s", retry, msg)
	if f.reason != meta.DependencyNotReadyReason && f.reason != applyv1.ArtifactNotReadyReason {
		if newFailure {
			r.event(ctx, obj, apievent.SeverityError, f.reason, msg)
		}
		log.Error(err, "reconcile failed")
	} else {
		log.V(1).Info("waiting", "reason", f.reason, "message", msg)
	}
	return reconcile.RequeueAfter(retry, requeueJitter), nil
}

// readyChanged reports whether the Ready condition after differs from
// before in status, reason or message; a condition appearing or vanishing is
// a change.
func readyChanged(before, after *metav1.Condition) bool {
	if before == nil || after == nil {
		return before != after
	}
	return before.Status != after.Status || before.Reason != after.Reason || before.Message != after.Message
}

// markSuspended keeps Ready's status and stamps it for the current
// generation with the Suspended reason.
func markSuspended(obj *applyv1.Sync) {
	conditions.Delete(obj, meta.ReconcilingCondition)
	conditions.Delete(obj, meta.StalledCondition)
	ready := conditions.Get(obj, meta.ReadyCondition)
	msg := "reconciliation is suspended"
	if obj.Status.LastAppliedRevision != "" {
		msg += "; last applied revision " + obj.Status.LastAppliedRevision
	}
	if ready == nil {
		conditions.MarkUnknown(obj, meta.ReadyCondition, meta.SuspendedReason, "%s", msg)
		return
	}
	ready.Reason = meta.SuspendedReason
	ready.Message = msg
	conditions.Set(obj, *ready)
}

// reconcileSync applies the Sync's source and returns the revision applied
// and the changes made.
func (r *SyncReconciler) reconcileSync(ctx context.Context, obj *applyv1.Sync, force bool) (string, ssa.ChangeSet, error) {
	var changes ssa.ChangeSet
	if err := r.checkDependencies(ctx, obj); err != nil {
		return "", changes, err
	}
	artifact, err := r.sourceArtifact(ctx, obj)
	if err != nil {
		return "", changes, err
	}
	obj.Status.LastAttemptedRevision = artifact.Revision

	tmp, err := os.MkdirTemp("", "sync-")
	if err != nil {
		return "", changes, retryable(meta.ReconciliationFailedReason, fmt.Errorf("create work folder: %w", err))
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	root := filepath.Join(tmp, "artifact")
	if err := storage.Fetch(ctx, r.httpClient(), *artifact, root); err != nil {
		err = &workDirError{dir: tmp, err: err}
		if isDigestMismatch(err) {
			return "", changes, retryable(meta.VerificationFailedReason, err)
		}
		return "", changes, retryable(meta.ArtifactFailedReason, err)
	}
	objs, err := buildManifests(root, obj.Spec.Path)
	if err != nil {
		return "", changes, stalled(applyv1.BuildFailedReason, fmt.Errorf("build revision %s: %w", artifact.Revision, &workDirError{dir: tmp, err: err}))
	}

	c, mapper, err := r.applyClient(ctx, obj)
	if err != nil {
		return "", changes, err
	}
	if err := setNamespaces(objs, mapper, obj.Spec.TargetNamespace, obj.Namespace); err != nil {
		return "", changes, retryable(meta.ReconciliationFailedReason, err)
	}
	m, err := ssa.New(c, ssa.Owner{Field: r.fieldManager(), Group: applyv1.Group, Name: obj.Name, Namespace: obj.Namespace})
	if err != nil {
		return "", changes, stalled(meta.InvalidConfigReason, err)
	}

	previous, err := inventoryOf(obj)
	if err != nil {
		return "", changes, stalled(meta.InvalidConfigReason, fmt.Errorf("read status.inventory: %w", err))
	}
	applied, applyErr := m.ApplyAll(ctx, objs, ssa.ApplyOptions{Force: force, WaitTimeout: obj.Timeout()})
	changes.Append(applied)
	current := ssa.InventoryFromChangeSet(applied, objs...)
	if applyErr != nil {
		// Keep tracking what was applied before, so that a later prune
		// still finds it.
		for _, id := range previous.IDs() {
			current.Add(id, previous.Version(id))
		}
		setInventory(obj, current)
		return "", changes, retryable(meta.ReconciliationFailedReason, fmt.Errorf("apply revision %s: %w", artifact.Revision, applyErr))
	}

	if obj.PruneEnabled() {
		stale := previous.Diff(current)
		if stale.Len() > 0 {
			pruned, err := m.Prune(ctx, stale, ssa.PruneOptions{})
			changes.Append(pruned)
			if err != nil {
				for _, id := range stale.IDs() {
					if a, ok := pruned.Lookup(id); !ok || a != ssa.Deleted {
						current.Add(id, stale.Version(id))
					}
				}
				setInventory(obj, current)
				return "", changes, retryable(applyv1.PruneFailedReason, fmt.Errorf("prune: %w", err))
			}
		}
	}
	setInventory(obj, current)

	if obj.Spec.Wait {
		if err := m.Wait(ctx, objs, ssa.WaitOptions{Timeout: remaining(ctx), Interval: time.Second, FailFast: true}); err != nil {
			conditions.MarkFalse(obj, meta.HealthyCondition, meta.HealthCheckFailedReason, "%s", err.Error())
			return "", changes, retryable(meta.HealthCheckFailedReason, fmt.Errorf("health check of revision %s: %w", artifact.Revision, err))
		}
		conditions.MarkTrue(obj, meta.HealthyCondition, meta.SucceededReason, "%d objects are healthy", len(objs))
	} else {
		conditions.Delete(obj, meta.HealthyCondition)
	}
	obj.Status.LastAppliedRevision = artifact.Revision
	return artifact.Revision, changes, nil
}

// remaining returns the time left before ctx's deadline, at least a
// second.
func remaining(ctx context.Context) time.Duration {
	d, ok := ctx.Deadline()
	if !ok {
		return ssa.DefaultReadyTimeout
	}
	return max(time.Until(d), time.Second)
}

// checkDependencies fails with DependencyNotReady unless every Sync of
// spec.dependsOn is Ready for its current generation.
func (r *SyncReconciler) checkDependencies(ctx context.Context, obj *applyv1.Sync) error {
	for _, dep := range obj.Spec.DependsOn {
		var d applyv1.Sync
		key := types.NamespacedName{Namespace: obj.Namespace, Name: dep.Name}
		if err := r.Client.Get(ctx, key, &d); err != nil {
			if apierrors.IsNotFound(err) {
				return retryable(meta.DependencyNotReadyReason, fmt.Errorf("dependency %s not found", key))
			}
			return retryable(meta.DependencyNotReadyReason, fmt.Errorf("get dependency %s: %w", key, err))
		}
		if !readyForGeneration(&d) {
			return retryable(meta.DependencyNotReadyReason, fmt.Errorf("dependency %s is not ready", key))
		}
	}
	return nil
}

// sourceArtifact reads the source, checks that the Sync may refer to it and
// returns its artifact.
func (r *SyncReconciler) sourceArtifact(ctx context.Context, obj *applyv1.Sync) (*meta.Artifact, error) {
	ref := obj.Spec.SourceRef
	key := types.NamespacedName{Namespace: obj.SourceNamespace(), Name: ref.Name}
	display := ref.Kind + "/" + key.String()
	authz := acl.New(r.Access.AuthorizerOptions()...)

	var (
		src        sourcev1.Source
		accessFrom *apiacl.AccessFrom
	)
	switch ref.Kind {
	case sourcev1.GitRepositoryKind:
		s := &sourcev1.GitRepository{}
		src = s
		if err := r.Client.Get(ctx, key, s); err == nil {
			accessFrom = s.Spec.AccessFrom
		} else {
			return nil, r.sourceGetError(ctx, obj, key, display, authz, err)
		}
	case sourcev1.OCIRepositoryKind:
		s := &sourcev1.OCIRepository{}
		src = s
		if err := r.Client.Get(ctx, key, s); err == nil {
			accessFrom = s.Spec.AccessFrom
		} else {
			return nil, r.sourceGetError(ctx, obj, key, display, authz, err)
		}
	default:
		return nil, stalled(meta.InvalidConfigReason, fmt.Errorf("unsupported source kind %q", ref.Kind))
	}
	if err := authz.Authorize(ctx, r.apiReader(), obj.Namespace, src, accessFrom); err != nil {
		if errors.Is(err, acl.ErrAccessDenied) {
			return nil, stalled(meta.AccessDeniedReason, fmt.Errorf("source %s: %w", display, err))
		}
		return nil, retryable(meta.ReconciliationFailedReason, fmt.Errorf("authorize source %s: %w", display, err))
	}
	artifact := src.GetArtifact()
	if artifact == nil {
		return nil, retryable(applyv1.ArtifactNotReadyReason, fmt.Errorf("source %s has no artifact yet", display))
	}
	if err := artifact.Validate(); err != nil {
		return nil, retryable(meta.ArtifactFailedReason, fmt.Errorf("source %s: %w", display, err))
	}
	return artifact, nil
}

// sourceGetError classifies a failed read of the source. A missing source in
// another namespace is reported as the access decision for a source without
// grant, so that a Sync cannot probe for objects it may not see.
func (r *SyncReconciler) sourceGetError(ctx context.Context, obj *applyv1.Sync, key types.NamespacedName, display string, authz *acl.Authorizer, err error) error {
	if !apierrors.IsNotFound(err) {
		return retryable(meta.ReconciliationFailedReason, fmt.Errorf("get source %s: %w", display, err))
	}
	if key.Namespace != obj.Namespace {
		stub := &unstructured.Unstructured{}
		stub.SetNamespace(key.Namespace)
		stub.SetName(key.Name)
		if aerr := authz.Authorize(ctx, r.apiReader(), obj.Namespace, stub, nil); aerr != nil && errors.Is(aerr, acl.ErrAccessDenied) {
			return stalled(meta.AccessDeniedReason, fmt.Errorf("source %s: %w", display, aerr))
		}
	}
	return retryable(applyv1.SourceNotFoundReason, fmt.Errorf("source %s not found", display))
}

// applyClient returns the client that applies the Sync's objects and its
// REST mapper: the controller's cluster as the Sync's service account, or
// the cluster of its kubeconfig Secret.
func (r *SyncReconciler) applyClient(ctx context.Context, obj *applyv1.Sync) (client.WithWatch, apimeta.RESTMapper, error) {
	if r.Config == nil {
		return nil, nil, stalled(meta.InvalidConfigReason, errors.New("build apply client: no rest config (SetupWithManager not called)"))
	}
	imp := impersonation.New(r.Config, r.apiReader(), r.Access.ImpersonationOptions()...)
	opts := impersonation.ClientOptions{ServiceAccountName: obj.Spec.ServiceAccountName, KubeConfig: obj.Spec.KubeConfig}
	cfg, err := imp.Config(ctx, obj.Namespace, opts)
	if err != nil {
		var kerr *impersonation.KubeConfigError
		if errors.As(err, &kerr) && apiError(kerr.Err) {
			return nil, nil, retryable(meta.ReconciliationFailedReason, err)
		}
		return nil, nil, stalled(meta.InvalidConfigReason, err)
	}
	mapper := r.RESTMapper
	if opts.KubeConfig != nil || mapper == nil {
		hc, err := rest.HTTPClientFor(cfg)
		if err != nil {
			return nil, nil, stalled(meta.InvalidConfigReason, fmt.Errorf("build apply client: %w", err))
		}
		if mapper, err = apiutil.NewDynamicRESTMapper(cfg, hc); err != nil {
			return nil, nil, retryable(meta.ReconciliationFailedReason, fmt.Errorf("build apply client: %w", err))
		}
	}
	c, err := client.NewWithWatch(cfg, client.Options{Mapper: mapper})
	if err != nil {
		return nil, nil, retryable(meta.ReconciliationFailedReason, fmt.Errorf("build apply client: %w", err))
	}
	return c, mapper, nil
}

// apiError reports whether err came from the apiserver (and may go away
// when retried) rather than from the content of a Secret.
func apiError(err error) bool {
	var status apierrors.APIStatus
	return errors.As(err, &status)
}

// finalizer returns the cleanup of a deleted Sync: prune its inventory
// when spec.prune is on and the Sync is not suspended.
func (r *SyncReconciler) finalizer(obj *applyv1.Sync) func(context.Context) error {
	return func(ctx context.Context) error {
		if !obj.PruneEnabled() || obj.Spec.Suspend {
			return nil
		}
		inv, err := inventoryOf(obj)
		if err != nil || inv.Len() == 0 {
			return nil //nolint:nilerr // an unreadable inventory has nothing we can prune
		}
		c, _, err := r.applyClient(ctx, obj)
		if err != nil {
			return err
		}
		m, err := ssa.New(c, ssa.Owner{Field: r.fieldManager(), Group: applyv1.Group, Name: obj.Name, Namespace: obj.Namespace})
		if err != nil {
			return err
		}
		pruned, err := m.Prune(ctx, inv, ssa.PruneOptions{})
		if err != nil {
			return fmt.Errorf("prune inventory: %w", err)
		}
		if pruned.Changed() {
			r.event(ctx, obj, apievent.SeverityInfo, "Pruned", "deleted with the sync\n"+changeSummary(pruned))
		}
		obj.Status.Inventory = nil
		return nil
	}
}

// inventoryOf returns the Sync's recorded inventory.
func inventoryOf(obj *applyv1.Sync) (ssa.Inventory, error) {
	if obj.Status.Inventory == nil {
		return ssa.Inventory{}, nil
	}
	entries := make([]ssa.InventoryEntry, 0, len(obj.Status.Inventory.Entries))
	for _, e := range obj.Status.Inventory.Entries {
		entries = append(entries, ssa.InventoryEntry{ID: e.ID, Version: e.Version})
	}
	return ssa.InventoryFromEntries(entries)
}

// setInventory records inv in the Sync's status.
func setInventory(obj *applyv1.Sync, inv ssa.Inventory) {
	entries := inv.Entries()
	out := &applyv1.Inventory{Entries: make([]applyv1.InventoryEntry, 0, len(entries))}
	for _, e := range entries {
		out.Entries = append(out.Entries, applyv1.InventoryEntry{ID: e.ID, Version: e.Version})
	}
	obj.Status.Inventory = out
}

// changeSummary lists the changed objects of cs, one per line.
func changeSummary(cs ssa.ChangeSet) string {
	var b strings.Builder
	for _, c := range cs.Entries {
		switch c.Action {
		case ssa.Created, ssa.Configured, ssa.Deleted:
			b.WriteString(c.String())
			b.WriteByte('\n')
		default:
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// event records an event when a recorder is set; a failed delivery is
// logged.
func (r *SyncReconciler) event(ctx context.Context, obj *applyv1.Sync, severity, reason, msg string) {
	if r.EventRecorder == nil {
		return
	}
	md := map[string]string{}
	if rev := obj.Status.LastAttemptedRevision; rev != "" {
		md[apievent.MetadataRevision] = rev
	}
	if err := r.EventRecorder.Event(ctx, obj, severity, reason, msg, md); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "record event", "reason", reason)
	}
}

func (r *SyncReconciler) httpClient() *http.Client {
	if r.HTTPClient != nil {
		return r.HTTPClient
	}
	return http.DefaultClient
}

func (r *SyncReconciler) apiReader() client.Reader {
	if r.APIReader != nil {
		return r.APIReader
	}
	return r.Client
}

func (r *SyncReconciler) fieldManager() string {
	if r.FieldManager != "" {
		return r.FieldManager
	}
	return DefaultFieldManager
}
