package image

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	crreconcile "sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/runtime/predicates"
	"github.com/sluice-dev/sluice/version/policy"
)

// imageRepositoryIndex is the field index of ImagePolicies by the
// "namespace/name" of their ImageRepository.
const imageRepositoryIndex = ".spec.imageRepositoryRef.namespacedName"

// ImagePolicyReconciler selects the latest image of ImagePolicies from
// the tags a TagStore holds.
type ImagePolicyReconciler struct { //nolint:revive // named after its kind, as the examples contract asks
	// Client reads ImagePolicies, ImageRepositories and Namespaces and
	// writes the policies' status. Required.
	Client client.Client

	// Tags is the store the ImageRepositoryReconciler fills. Required:
	// SetupWithManager returns ErrNoTagStore without it.
	Tags *TagStore

	// EventRecorder emits events. Default nil: no events.
	EventRecorder *events.Recorder

	// MaxConcurrentReconciles is how many objects are reconciled at once.
	// Default 0: one.
	MaxConcurrentReconciles int

	// Access is the multi-tenancy lockdown: with NoCrossNamespaceRefs, a
	// policy may only use an ImageRepository of its own namespace. Default:
	// the repository's spec.accessFrom decides.
	Access flags.AccessOptions

	// apiReader reads objects uncached, set by SetupWithManager; nil
	// trusts the cache (see recordFailure).
	apiReader client.Reader
}

// SetupWithManager registers the reconciler with mgr: it watches
// ImagePolicies, and ImageRepositories to re-evaluate the policies that
// use them after each scan. It returns ErrNoTagStore without Tags.
func (r *ImagePolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Tags == nil {
		return fmt.Errorf("setup image policy reconciler: %w", ErrNoTagStore)
	}
	r.apiReader = mgr.GetAPIReader()
	err := mgr.GetFieldIndexer().IndexField(context.Background(), &imagev1.ImagePolicy{}, imageRepositoryIndex,
		func(o client.Object) []string {
			p, ok := o.(*imagev1.ImagePolicy)
			if !ok {
				return nil
			}
			return []string{repositoryKey(p).String()}
		})
	if err != nil {
		return fmt.Errorf("setup image policy reconciler: index policies: %w", err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImagePolicy{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		Watches(&imagev1.ImageRepository{}, handler.EnqueueRequestsFromMapFunc(r.policiesOf)).
		Named("imagepolicy").
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles, SkipNameValidation: ptr.To(true)}).
		Complete(r)
}

// repositoryKey returns the ImageRepository of p.
func repositoryKey(p *imagev1.ImagePolicy) types.NamespacedName {
	ns := p.Spec.ImageRepositoryRef.Namespace
	if ns == "" {
		ns = p.Namespace
	}
	return types.NamespacedName{Namespace: ns, Name: p.Spec.ImageRepositoryRef.Name}
}

// policiesOf maps an ImageRepository to the ImagePolicies that use it.
func (r *ImagePolicyReconciler) policiesOf(ctx context.Context, o client.Object) []crreconcile.Request {
	var list imagev1.ImagePolicyList
	key := types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}
	if err := r.Client.List(ctx, &list, client.MatchingFields{imageRepositoryIndex: key.String()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list image policies", "imageRepository", key.String())
		return nil
	}
	reqs := make([]crreconcile.Request, 0, len(list.Items))
	for _, p := range list.Items {
		reqs = append(reqs, crreconcile.Request{NamespacedName: types.NamespacedName{Namespace: p.Namespace, Name: p.Name}})
	}
	return reqs
}

// Reconcile selects the latest image of one ImagePolicy.
func (r *ImagePolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	obj := &imagev1.ImagePolicy{}
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if obj.Spec.Suspend || !obj.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	writeStatus, err := beginStatus(r.Client, obj, &obj.Status)
	if err != nil {
		return ctrl.Result{}, err
	}
	defer writeStatus(ctx, &retErr)
	readyBefore := readyOf(obj)

	ref, err := r.latest(ctx, obj)
	if err != nil {
		result, retryErr := finish(obj, err, "", 0)
		if !errors.Is(err, policy.ErrNoMatch) {
			recordFailure(ctx, r.EventRecorder, r.apiReader, obj, readyBefore, reasonOf(err), err)
		}
		return result, retryErr
	}
	msg := "selected " + ref.String()
	if prev := obj.Status.LatestRef; prev == nil || *prev != ref {
		if prev != nil {
			p := *prev
			obj.Status.ObservedPreviousRef = &p
			msg = fmt.Sprintf("selected %s, was %s", ref.String(), prev.String())
		}
		obj.Status.LatestRef = &ref
		record(ctx, r.EventRecorder, obj, event.SeverityInfo, meta.SucceededReason, msg)
	}
	return finish(obj, nil, "selected "+ref.String(), 0)
}

// reasonOf returns the condition reason of a step error.
func reasonOf(err error) string {
	if se, ok := errors.AsType[*stepError](err); ok {
		return se.reason
	}
	return meta.FailedReason
}

// latest ranks the stored tags of obj's repository.
func (r *ImagePolicyReconciler) latest(ctx context.Context, obj *imagev1.ImagePolicy) (imagev1.ImageRef, error) {
	opts, err := policyOptions(obj.Spec)
	if err != nil {
		return imagev1.ImageRef{}, stall(InvalidPolicyReason, err)
	}
	p, err := policy.New(opts)
	if err != nil {
		return imagev1.ImageRef{}, stall(InvalidPolicyReason, err)
	}

	key := repositoryKey(obj)
	repo := &imagev1.ImageRepository{}
	if err := r.Client.Get(ctx, key, repo); err != nil {
		if apierrors.IsNotFound(err) {
			return imagev1.ImageRef{}, failf(meta.DependencyNotReadyReason, dependencyRetry, "get image repository %s: not found", key)
		}
		return imagev1.ImageRef{}, fmt.Errorf("get image repository %s: %w", key, err)
	}
	authz := acl.New(r.Access.AuthorizerOptions()...)
	if err := authz.Authorize(ctx, r.Client, obj.Namespace, repo, repo.Spec.AccessFrom); err != nil {
		if errors.Is(err, acl.ErrAccessDenied) {
			return imagev1.ImageRef{}, stall(meta.AccessDeniedReason, err)
		}
		return imagev1.ImageRef{}, err
	}
	set, ok := r.Tags.Get(key)
	if !ok {
		return imagev1.ImageRef{}, failf(meta.DependencyNotReadyReason, dependencyRetry, "image repository %s has not been scanned yet", key)
	}
	tag, err := p.Latest(set.Tags)
	if err != nil {
		return imagev1.ImageRef{}, waitFor(NoMatchingTagReason, fmt.Errorf("select from image repository %s: %w", key, err))
	}
	return imagev1.ImageRef{Name: set.CanonicalName, Tag: tag}, nil
}

// policyOptions translates the spec into the options of package
// version/policy. It returns an error wrapping policy.ErrInvalidPolicy
// when the spec sets no or several kinds, which the API server's
// validation normally prevents.
func policyOptions(spec imagev1.ImagePolicySpec) (policy.Options, error) {
	var o policy.Options
	kinds := 0
	if c := spec.Policy.SemVer; c != nil {
		kinds++
		o.Kind, o.Range = policy.SemVer, c.Range
	}
	if c := spec.Policy.Alphabetical; c != nil {
		kinds++
		o.Kind, o.Order = policy.Alphabetical, order(c.Order)
	}
	if c := spec.Policy.Numerical; c != nil {
		kinds++
		o.Kind, o.Order = policy.Numerical, order(c.Order)
	}
	if kinds != 1 {
		return o, fmt.Errorf("read policy: %w: exactly one of semver, alphabetical and numerical must be set", policy.ErrInvalidPolicy)
	}
	if f := spec.FilterTags; f != nil {
		o.Pattern, o.Extract = f.Pattern, f.Extract
	}
	return o, nil
}

// order translates a SortOrder; the empty order is ascending.
func order(o imagev1.SortOrder) policy.Order {
	if o == imagev1.SortDescending {
		return policy.Descending
	}
	return policy.Ascending
}
