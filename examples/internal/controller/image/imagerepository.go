package image

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

// latestTagsInStatus is how many tags status.lastScanResult.latestTags
// shows.
const latestTagsInStatus = 10

// ErrNoTagStore is returned by SetupWithManager when the reconciler has no
// TagStore.
var ErrNoTagStore = errors.New("no tag store: give the repository and policy reconcilers one NewTagStore")

// ImageRepositoryReconciler scans the tags of ImageRepositories into a
// TagStore.
type ImageRepositoryReconciler struct { //nolint:revive // named after its kind, as the examples contract asks
	// Client reads Secrets and ImageRepositories and writes their status.
	// Required.
	Client client.Client

	// Tags receives the scans; the ImagePolicyReconciler reads it.
	// Required: SetupWithManager returns ErrNoTagStore without it.
	Tags *TagStore

	// EventRecorder emits events. Default nil: no events.
	EventRecorder *events.Recorder

	// MaxConcurrentReconciles is how many objects are reconciled at once.
	// Default 0: one.
	MaxConcurrentReconciles int

	// InsecureHTTP is the plain-HTTP policy: spec.insecure repositories are
	// scanned over plain HTTP only when Allow is true; otherwise (the
	// default) they are Stalled with reason InsecureConnectionsDisallowed.
	InsecureHTTP flags.InsecureHTTPOptions

	// CloudKeychain gives the credentials of the aws, azure and gcp
	// providers, such as an oci/auth CloudKeychain. Default nil: those
	// providers are Stalled with reason InvalidConfig.
	CloudKeychain authn.Keychain

	// Transport is the base HTTP transport to registries. Default nil: a
	// clone of http.DefaultTransport. spec.certSecretRef needs an
	// *http.Transport.
	Transport http.RoundTripper

	// MaxTags bounds the tags stored per repository, after the exclusion
	// list; a larger scan fails. Default 0: DefaultMaxTags.
	MaxTags int

	// UserAgent is sent to registries. Default empty: go-containerregistry's.
	UserAgent string

	// apiReader reads objects uncached, set by SetupWithManager; nil
	// trusts the cache (see recordFailure).
	apiReader client.Reader
}

// SetupWithManager registers the reconciler with mgr. It returns
// ErrNoTagStore without Tags.
func (r *ImageRepositoryReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Tags == nil {
		return fmt.Errorf("setup image repository reconciler: %w", ErrNoTagStore)
	}
	r.apiReader = mgr.GetAPIReader()
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageRepository{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		Named("imagerepository").
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles, SkipNameValidation: ptr.To(true)}).
		Complete(r)
}

// Reconcile scans one ImageRepository.
func (r *ImageRepositoryReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	obj := &imagev1.ImageRepository{}
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			r.Tags.Delete(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !obj.DeletionTimestamp.IsZero() {
		r.Tags.Delete(req.NamespacedName)
		return ctrl.Result{}, nil
	}
	if obj.Spec.Suspend {
		return ctrl.Result{}, nil
	}
	writeStatus, err := beginStatus(r.Client, obj, &obj.Status)
	if err != nil {
		return ctrl.Result{}, err
	}
	defer writeStatus(ctx, &retErr)
	readyBefore := readyOf(obj)

	prevCount := -1
	if obj.Status.LastScanResult != nil {
		prevCount = obj.Status.LastScanResult.TagCount
	}
	set, err := r.scan(ctx, obj)
	if err != nil {
		result, retryErr := finish(obj, err, "", obj.Spec.Interval.Duration)
		recordFailure(ctx, r.EventRecorder, r.apiReader, obj, readyBefore, meta.FailedReason, err)
		return result, retryErr
	}
	r.Tags.Set(req.NamespacedName, set)
	latest := slices.Clone(set.Tags)
	slices.Reverse(latest)
	if len(latest) > latestTagsInStatus {
		latest = latest[:latestTagsInStatus]
	}
	obj.Status.CanonicalImageName = set.CanonicalName
	obj.Status.LastScanResult = &imagev1.ScanResult{
		TagCount:   len(set.Tags),
		ScanTime:   metav1.NewTime(set.ScanTime),
		LatestTags: latest,
	}
	obj.Status.ObservedExclusionList = slices.Clone(obj.Spec.ExclusionList)
	msg := fmt.Sprintf("found %d tags in %s", len(set.Tags), set.CanonicalName)
	if prevCount != len(set.Tags) {
		record(ctx, r.EventRecorder, obj, event.SeverityInfo, meta.SucceededReason, msg)
	}
	return finish(obj, nil, msg, obj.Spec.Interval.Duration)
}

// scan lists the tags of obj's repository.
func (r *ImageRepositoryReconciler) scan(ctx context.Context, obj *imagev1.ImageRepository) (TagSet, error) {
	var nameOpts []name.Option
	if obj.Spec.Insecure {
		if !r.InsecureHTTP.Allow {
			return TagSet{}, stall(meta.InsecureConnectionsDisallowedReason,
				fmt.Errorf("scan %s: plain HTTP is not allowed by the controller", obj.Spec.Image))
		}
		nameOpts = append(nameOpts, name.Insecure)
	}
	repo, err := name.NewRepository(obj.Spec.Image, nameOpts...)
	if err != nil {
		return TagSet{}, stall(meta.InvalidConfigReason, fmt.Errorf("parse image %q: %w", obj.Spec.Image, err))
	}
	exclusions, err := compileExclusions(obj.Spec.ExclusionList)
	if err != nil {
		return TagSet{}, stall(meta.InvalidConfigReason, err)
	}
	opts, err := r.clientOptions(ctx, obj)
	if err != nil {
		return TagSet{}, err
	}
	c, err := oci.New(opts...)
	if err != nil {
		return TagSet{}, stall(meta.InvalidConfigReason, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout(obj.Spec.Timeout))
	defer cancel()
	tags, err := c.ListTags(ctx, repo.Name(), oci.ListTagsOptions{})
	_, badCert := errors.AsType[*tls.CertificateVerificationError](err)
	switch {
	case badCert:
		// go-containerregistry retries a local registry over plain HTTP
		// after a TLS failure; the certificate is the cause to report.
		return TagSet{}, fail(ScanFailedReason, 0, err)
	case errors.Is(err, oci.ErrInsecureHTTP):
		return TagSet{}, stall(meta.InsecureConnectionsDisallowedReason, err)
	case errors.Is(err, oci.ErrInvalidReference):
		return TagSet{}, stall(meta.InvalidConfigReason, err)
	case errors.Is(err, oci.ErrUnauthorized):
		return TagSet{}, fail(meta.AuthenticationFailedReason, 0, err)
	case err != nil:
		return TagSet{}, fail(ScanFailedReason, 0, err)
	}
	tags = slices.DeleteFunc(tags, func(t string) bool {
		return slices.ContainsFunc(exclusions, func(re *regexp.Regexp) bool { return re.MatchString(t) })
	})
	maxTags := r.MaxTags
	if maxTags <= 0 {
		maxTags = DefaultMaxTags
	}
	if len(tags) > maxTags {
		return TagSet{}, failf(ScanFailedReason, obj.Spec.Interval.Duration,
			"scan %s: %d tags exceed the limit of %d; exclude some with spec.exclusionList", repo.Name(), len(tags), maxTags)
	}
	slices.Sort(tags)
	return TagSet{CanonicalName: repo.Name(), Tags: tags, ScanTime: time.Now().UTC().Truncate(time.Second)}, nil
}

// compileExclusions compiles the exclusion list.
func compileExclusions(list []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(list))
	for _, s := range list {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("compile exclusion %q: %w", s, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// clientOptions returns the oci.Client options of obj: credentials, TLS,
// plain HTTP.
func (r *ImageRepositoryReconciler) clientOptions(ctx context.Context, obj *imagev1.ImageRepository) ([]oci.Option, error) {
	var opts []oci.Option
	if r.Transport != nil {
		opts = append(opts, oci.WithTransport(r.Transport))
	}
	if r.UserAgent != "" {
		opts = append(opts, oci.WithUserAgent(r.UserAgent))
	}
	if obj.Spec.Insecure {
		opts = append(opts, oci.WithInsecureHTTP())
	}
	switch obj.Spec.Provider {
	case "", imagev1.ImageProviderGeneric:
		if obj.Spec.SecretRef != nil {
			data, err := r.secretData(ctx, obj.Namespace, obj.Spec.SecretRef.Name)
			if err != nil {
				return nil, err
			}
			kc, err := auth.FromSecretData(data)
			if err != nil {
				return nil, stall(meta.InvalidConfigReason, fmt.Errorf("read credentials of secret %s: %w", obj.Spec.SecretRef.Name, err))
			}
			opts = append(opts, oci.WithKeychain(kc))
		}
	default:
		if r.CloudKeychain == nil {
			return nil, stall(meta.InvalidConfigReason, fmt.Errorf("provider %s: the controller has no cloud keychain", obj.Spec.Provider))
		}
		opts = append(opts, oci.WithKeychain(r.CloudKeychain))
	}
	if obj.Spec.CertSecretRef != nil {
		data, err := r.secretData(ctx, obj.Namespace, obj.Spec.CertSecretRef.Name)
		if err != nil {
			return nil, err
		}
		tlsOpts, err := tlsOptions(data)
		if err != nil {
			return nil, stall(meta.InvalidConfigReason, fmt.Errorf("read TLS settings of secret %s: %w", obj.Spec.CertSecretRef.Name, err))
		}
		opts = append(opts, tlsOpts...)
	}
	return opts, nil
}

// tlsOptions reads ca.crt, tls.crt and tls.key.
func tlsOptions(data map[string][]byte) ([]oci.Option, error) {
	var opts []oci.Option
	if ca := data["ca.crt"]; len(ca) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, errors.New("ca.crt holds no PEM certificate")
		}
		opts = append(opts, oci.WithRootCAs(pool))
	}
	crt, key := data["tls.crt"], data["tls.key"]
	if len(crt) > 0 || len(key) > 0 {
		cert, err := tls.X509KeyPair(crt, key)
		if err != nil {
			return nil, errors.New("tls.crt and tls.key do not form a key pair")
		}
		opts = append(opts, oci.WithClientCertificate(cert))
	}
	return opts, nil
}

// secretData reads a Secret; a missing one is retried, as it may be
// created later.
func (r *ImageRepositoryReconciler) secretData(ctx context.Context, namespace, secretName string) (map[string][]byte, error) {
	return getSecretData(ctx, r.Client, types.NamespacedName{Namespace: namespace, Name: secretName})
}

// getSecretData reads the data of the Secret key.
func getSecretData(ctx context.Context, c client.Reader, key types.NamespacedName) (map[string][]byte, error) {
	var s corev1.Secret
	if err := c.Get(ctx, key, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, failf(meta.InvalidConfigReason, dependencyRetry, "get secret %s: not found", key)
		}
		return nil, fmt.Errorf("get secret %s: %w", key, err)
	}
	return s.Data, nil
}
