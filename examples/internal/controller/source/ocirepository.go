package source

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/aws"
	"github.com/sluice-dev/sluice/oci/auth/azure"
	"github.com/sluice-dev/sluice/oci/auth/gcp"
	"github.com/sluice-dev/sluice/oci/verify"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/runtime/predicates"
	"github.com/sluice-dev/sluice/version"
)

const (
	// ociScheme prefixes the URL of an OCIRepository.
	ociScheme = "oci://"
	// defaultTag is pulled when the spec names no reference.
	defaultTag = "latest"
	// cosignKeySuffix ends the Secret keys holding cosign public keys.
	cosignKeySuffix = ".pub"
	// trustedRootKey is the Secret key of the Sigstore trusted root.
	trustedRootKey = "trusted_root.json"
	// Secret keys of spec.certSecretRef.
	caCertKey     = "ca.crt"
	clientCertKey = "tls.crt"
	clientKeyKey  = "tls.key"
)

// OCIRepositoryReconciler reconciles OCIRepository objects: it resolves the
// tag, semver range or digest the spec names, verifies the cosign signature
// of the resolved digest when asked (by public key or keyless identity),
// pulls that digest, stores its content as an artifact in Storage and records
// it in status.artifact with the RFC-0005 revision "<tag>@sha256:<hex>" (the
// digest alone for a pull by digest).
//
// When the resolved revision is the stored artifact's and the ignore rules
// did not change, nothing is pulled.
type OCIRepositoryReconciler struct {
	// Client reads OCIRepositories and Secrets and writes status. Required.
	Client client.Client
	// Storage keeps and serves the artifacts. Required.
	Storage *storage.Storage
	// EventRecorder records an event for each new revision and each
	// failure. Default nil: no events.
	EventRecorder *events.Recorder
	// InsecureHTTP is the policy on plain-HTTP registries: spec.insecure is
	// honoured only when Allow is true; otherwise (the default) such an
	// object stalls with InsecureConnectionsDisallowed.
	InsecureHTTP flags.InsecureHTTPOptions
	// Transport is the base HTTP transport to registries; it is cloned,
	// not modified. Default nil: a clone of http.DefaultTransport.
	Transport *http.Transport
	// MaxConcurrentReconciles is how many OCIRepositories are reconciled at
	// once. Default 0: one.
	MaxConcurrentReconciles int

	cacheOnce sync.Once
	cache     *auth.Cache
	cacheErr  error
}

// SetupWithManager registers the reconciler with mgr, watching
// OCIRepositories for new generations and reconcile requests. The controller
// is named "ocirepository"; as for GitRepositoryReconciler, the process-wide
// check of unique controller names is skipped.
func (r *OCIRepositoryReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Client == nil || r.Storage == nil {
		return errors.New("setup ocirepository controller: Client and Storage are required")
	}
	skip := true
	return ctrl.NewControllerManagedBy(mgr).
		Named("ocirepository").
		For(&sourcev1.OCIRepository{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles, SkipNameValidation: &skip}).
		Complete(r)
}

// Reconcile implements reconcile.Reconciler.
func (r *OCIRepositoryReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &sourcev1.OCIRepository{}
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	c := &common{client: r.Client, storage: r.Storage, recorder: r.EventRecorder, kind: sourcev1.OCIRepositoryKind}
	st := sourceState{status: &obj.Status.ArtifactStatus, interval: obj.Spec.Interval.Duration, suspend: obj.Spec.Suspend}
	if obj.Spec.Timeout != nil {
		st.timeout = &obj.Spec.Timeout.Duration
	}
	return c.run(ctx, obj, st, func(ctx context.Context) (string, error) {
		return r.reconcileArtifact(ctx, obj)
	})
}

// reconcileArtifact brings obj's artifact up to date and returns its
// revision when it is a new one.
func (r *OCIRepositoryReconciler) reconcileArtifact(ctx context.Context, obj *sourcev1.OCIRepository) (string, error) {
	spec := obj.Spec
	repo, nameOpts, err := r.repository(obj)
	if err != nil {
		return "", err
	}
	kc, err := r.keychain(ctx, obj)
	if err != nil {
		return "", err
	}
	tr, err := r.transport(ctx, obj)
	if err != nil {
		return "", err
	}
	clientOpts := []oci.Option{oci.WithTransport(tr)}
	remoteOpts := []remote.Option{remote.WithTransport(tr)}
	if kc != nil {
		clientOpts = append(clientOpts, oci.WithKeychain(kc))
		remoteOpts = append(remoteOpts, remote.WithAuthFromKeychain(kc))
	}
	if spec.Insecure {
		clientOpts = append(clientOpts, oci.WithInsecureHTTP())
	}
	c, err := oci.New(clientOpts...)
	if err != nil {
		return "", stalled(meta.InvalidConfigReason, err)
	}
	verifier, err := r.verifier(ctx, obj, remoteOpts)
	if err != nil {
		return "", err
	}

	resolved, err := resolve(ctx, c, repo, spec.Reference)
	if err != nil {
		return "", classifyOCIError(err)
	}
	revision := resolved.Revision.String()

	if r.canSkipPull(obj, revision) {
		a := obj.Status.Artifact
		a.URL = r.Storage.URL(a.Path)
		conditions.MarkTrue(obj, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored artifact for revision %s", revision)
		return "", nil
	}

	digestRef := repo + "@" + resolved.Digest.String()
	if verifier != nil {
		ref, err := name.NewDigest(digestRef, nameOpts...)
		if err != nil {
			return "", stalled(meta.InvalidURLReason, err)
		}
		res, err := verifier.Verify(ctx, ref)
		var verr *verify.VerificationError
		switch {
		case errors.As(err, &verr):
			return "", &failure{condition: meta.SourceVerifiedCondition, reason: meta.VerificationFailedReason,
				retryAfter: spec.Interval.Duration, err: err}
		case err != nil:
			return "", fetchFailed(meta.FailedReason, fmt.Errorf("verify %s: %w", digestRef, err))
		}
		by := res.KeyFingerprint
		if by == "" {
			by = res.Subject + " (" + res.Issuer + ")"
		}
		conditions.MarkTrue(obj, meta.SourceVerifiedCondition, meta.SucceededReason,
			"verified %s signature of %s by %s", res.Format, resolved.Digest, by)
	} else {
		conditions.Delete(obj, meta.SourceVerifiedCondition)
	}

	tmp, err := os.MkdirTemp("", "ocirepository-")
	if err != nil {
		return "", fetchFailed(meta.FailedReason, err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	dir := filepath.Join(tmp, "content")
	// Pull by digest, so the content is the one resolved and verified.
	pulled, err := c.Pull(ctx, digestRef, dir, oci.PullOptions{})
	if err != nil {
		return "", classifyOCIError(err)
	}
	a, err := r.Storage.Store(ctx, storage.Object{Kind: sourcev1.OCIRepositoryKind, Namespace: obj.Namespace, Name: obj.Name},
		dir, revision, storage.StoreOptions{Ignore: ignorePatterns(spec.Ignore), Metadata: pulled.Annotations})
	if err != nil {
		return "", storeFailure(err)
	}
	isNew := keepUpdateTime(obj.Status.Artifact, &a)
	obj.Status.Artifact = &a
	obj.Status.ObservedIgnore = spec.Ignore
	conditions.MarkTrue(obj, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored artifact for revision %s", revision)
	if isNew {
		return revision, nil
	}
	return "", nil
}

// repository checks spec.url and the insecure-HTTP policy and returns the
// repository ("host/path") with the name options to parse references of it.
func (r *OCIRepositoryReconciler) repository(obj *sourcev1.OCIRepository) (string, []name.Option, error) {
	if !strings.HasPrefix(obj.Spec.URL, ociScheme) {
		return "", nil, stalled(meta.InvalidURLReason, fmt.Errorf("url %q does not start with %s", obj.Spec.URL, ociScheme))
	}
	repo := strings.TrimPrefix(obj.Spec.URL, ociScheme)
	var nameOpts []name.Option
	if obj.Spec.Insecure {
		if !r.InsecureHTTP.Allow {
			return "", nil, stalled(meta.InsecureConnectionsDisallowedReason,
				errors.New("spec.insecure asks for plain HTTP and the controller's insecure-HTTP policy forbids it"))
		}
		nameOpts = append(nameOpts, name.Insecure)
	}
	if _, err := name.NewRepository(repo, append([]name.Option{name.StrictValidation}, nameOpts...)...); err != nil {
		return "", nil, stalled(meta.InvalidURLReason, fmt.Errorf("url %q: %w", obj.Spec.URL, err))
	}
	return repo, nameOpts, nil
}

// canSkipPull reports whether the stored artifact is the one of revision,
// built with the current ignore rules and, with verification on, verified
// for the current generation.
func (r *OCIRepositoryReconciler) canSkipPull(obj *sourcev1.OCIRepository, revision string) bool {
	a := obj.Status.Artifact
	if a == nil || a.Revision != revision || !r.Storage.Has(a) || !equalPtr(obj.Status.ObservedIgnore, obj.Spec.Ignore) {
		return false
	}
	if obj.Spec.Verify != nil {
		return conditions.IsTrue(obj, meta.SourceVerifiedCondition) &&
			conditions.GetObservedGeneration(obj, meta.SourceVerifiedCondition) == obj.Generation
	}
	return true
}

// resolve returns the digest the reference names.
func resolve(ctx context.Context, c *oci.Client, repo string, ref *sourcev1.OCIRepositoryReference) (oci.Resolved, error) {
	if ref == nil {
		ref = &sourcev1.OCIRepositoryReference{}
	}
	switch {
	case ref.Digest != "":
		return c.Resolve(ctx, repo+"@"+ref.Digest)
	case ref.SemVer != "":
		return c.ResolveSemver(ctx, repo, ref.SemVer, oci.ListTagsOptions{})
	default:
		return c.Resolve(ctx, repo+":"+cmp.Or(ref.Tag, defaultTag))
	}
}

// keychain returns the registry credentials of obj: the Secret of
// spec.secretRef, then the cloud identity of spec.provider. Nil means
// anonymous.
func (r *OCIRepositoryReconciler) keychain(ctx context.Context, obj *sourcev1.OCIRepository) (authn.Keychain, error) {
	var chain []authn.Keychain
	if ref := obj.Spec.SecretRef; ref != nil {
		data, err := secretData(ctx, r.Client, obj.Namespace, ref.Name, meta.AuthenticationFailedReason)
		if err != nil {
			return nil, err
		}
		kc, err := auth.FromSecretData(data)
		if err != nil {
			return nil, stalled(meta.InvalidConfigReason, fmt.Errorf("secret %s/%s: %w", obj.Namespace, ref.Name, err))
		}
		chain = append(chain, kc)
	}
	if p := obj.Spec.Provider; p != "" && p != sourcev1.OCIProviderGeneric {
		kc, err := r.cloudKeychain(p)
		if err != nil {
			return nil, stalled(meta.InvalidConfigReason, err)
		}
		chain = append(chain, kc)
	}
	if len(chain) == 0 {
		return nil, nil
	}
	return auth.Chain(chain...), nil
}

// cloudKeychain returns a keychain logging in with the controller's identity
// on the cloud of provider, configured from the environment (see packages
// oci/auth/aws, azure and gcp). Credentials are cached across reconciles.
func (r *OCIRepositoryReconciler) cloudKeychain(provider sourcev1.OCIProvider) (*auth.CloudKeychain, error) {
	r.cacheOnce.Do(func() { r.cache, r.cacheErr = auth.NewCache() })
	if r.cacheErr != nil {
		return nil, r.cacheErr
	}
	var (
		p   auth.Provider
		err error
	)
	switch provider {
	case sourcev1.OCIProviderAWS:
		p, err = aws.NewProvider()
	case sourcev1.OCIProviderAzure:
		p, err = azure.NewProvider()
	case sourcev1.OCIProviderGCP:
		p, err = gcp.NewProvider()
	default:
		return nil, fmt.Errorf("unknown provider %q", provider)
	}
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", provider, err)
	}
	return auth.NewCloudKeychain([]auth.Provider{p}, auth.WithCache(r.cache))
}

// transport returns the HTTP transport to the registry, trusting the CA and
// presenting the client certificate of spec.certSecretRef.
func (r *OCIRepositoryReconciler) transport(ctx context.Context, obj *sourcev1.OCIRepository) (*http.Transport, error) {
	var tr *http.Transport
	if r.Transport != nil {
		tr = r.Transport.Clone()
	} else if base, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = base.Clone()
	} else {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	ref := obj.Spec.CertSecretRef
	if ref == nil {
		return tr, nil
	}
	data, err := secretData(ctx, r.Client, obj.Namespace, ref.Name, meta.InvalidConfigReason)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if tr.TLSClientConfig != nil {
		cfg = tr.TLSClientConfig.Clone()
	}
	if ca, ok := data[caCertKey]; ok {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(ca) {
			return nil, stalled(meta.InvalidConfigReason, fmt.Errorf("secret %s/%s: %s holds no PEM certificate", obj.Namespace, ref.Name, caCertKey))
		}
		cfg.RootCAs = pool
	}
	certPEM, hasCert := data[clientCertKey]
	keyPEM, hasKey := data[clientKeyKey]
	switch {
	case hasCert && hasKey:
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, stalled(meta.InvalidConfigReason, fmt.Errorf("secret %s/%s: %s and %s do not make a key pair", obj.Namespace, ref.Name, clientCertKey, clientKeyKey))
		}
		cfg.Certificates = []tls.Certificate{cert}
	case hasCert || hasKey:
		return nil, stalled(meta.InvalidConfigReason, fmt.Errorf("secret %s/%s: %s and %s go together", obj.Namespace, ref.Name, clientCertKey, clientKeyKey))
	}
	tr.TLSClientConfig = cfg
	return tr, nil
}

// verifier builds the cosign verifier of spec.verify, nil when verification
// is off.
func (r *OCIRepositoryReconciler) verifier(ctx context.Context, obj *sourcev1.OCIRepository, remoteOpts []remote.Option) (*verify.Verifier, error) {
	v := obj.Spec.Verify
	if v == nil {
		return nil, nil
	}
	opts := []verify.Option{verify.WithRemoteOptions(remoteOpts...)}
	if v.SecretRef != nil {
		data, err := verificationSecret(ctx, r.Client, obj.Namespace, v.SecretRef.Name)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(data))
		for k := range data {
			if strings.HasSuffix(k, cosignKeySuffix) {
				names = append(names, k)
			}
		}
		if len(names) == 0 {
			return nil, ociVerifyConfigError(fmt.Errorf("secret %s/%s holds no key ending in %q", obj.Namespace, v.SecretRef.Name, cosignKeySuffix))
		}
		sort.Strings(names)
		for _, k := range names {
			opts = append(opts, verify.WithPublicKeys(data[k]))
		}
	} else {
		if len(v.MatchOIDCIdentity) == 0 {
			return nil, ociVerifyConfigError(errors.New("keyless verification needs matchOIDCIdentity"))
		}
		if v.TrustedRootSecretRef == nil {
			return nil, ociVerifyConfigError(errors.New("keyless verification needs trustedRootSecretRef"))
		}
		data, err := verificationSecret(ctx, r.Client, obj.Namespace, v.TrustedRootSecretRef.Name)
		if err != nil {
			return nil, err
		}
		trustedRoot, ok := data[trustedRootKey]
		if !ok {
			return nil, ociVerifyConfigError(fmt.Errorf("secret %s/%s has no key %q", obj.Namespace, v.TrustedRootSecretRef.Name, trustedRootKey))
		}
		ids := make([]verify.Identity, 0, len(v.MatchOIDCIdentity))
		for _, m := range v.MatchOIDCIdentity {
			ids = append(ids, verify.Identity{IssuerRegexp: m.Issuer, SubjectRegexp: m.Subject})
		}
		opts = append(opts, verify.WithTrustedRoot(trustedRoot), verify.WithIdentities(ids...))
	}
	verifier, err := verify.New(opts...)
	if err != nil {
		return nil, ociVerifyConfigError(err)
	}
	return verifier, nil
}

// verificationSecret reads a Secret of spec.verify; a missing one fails
// SourceVerified and is retried.
func verificationSecret(ctx context.Context, c client.Reader, namespace, name string) (map[string][]byte, error) {
	data, err := secretData(ctx, c, namespace, name, meta.VerificationFailedReason)
	var f *failure
	if errors.As(err, &f) {
		f.condition = meta.SourceVerifiedCondition
	}
	return data, err
}

// ociVerifyConfigError is a verification configuration that cannot work.
func ociVerifyConfigError(err error) error {
	return &failure{stalled: true, condition: meta.SourceVerifiedCondition, reason: meta.InvalidConfigReason, err: err}
}

// classifyOCIError maps the errors of package oci to failures.
func classifyOCIError(err error) error {
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, oci.ErrInvalidReference):
		return stalled(meta.InvalidURLReason, err)
	case errors.As(err, &certErr):
		// The registry's certificate did not verify. For local and private
		// hosts go-containerregistry then tries plain HTTP, which the client
		// refuses: the error holds ErrInsecureHTTP too, but the cause is the
		// missing CA (spec.certSecretRef), not the insecure-HTTP policy.
		return fetchFailed(meta.FailedReason, err)
	case errors.Is(err, oci.ErrInsecureHTTP):
		return stalled(meta.InsecureConnectionsDisallowedReason, err)
	case errors.Is(err, oci.ErrInvalidOption), errors.Is(err, version.ErrInvalidConstraint),
		errors.Is(err, auth.ErrCredentialHelperNotAllowed), errors.Is(err, auth.ErrNotConfigured):
		return stalled(meta.InvalidConfigReason, err)
	case errors.Is(err, oci.ErrUnauthorized):
		return fetchFailed(meta.AuthenticationFailedReason, err)
	default:
		return fetchFailed(meta.FailedReason, err)
	}
}
