package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/git/signature"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

// gitIgnore keeps Git's own metadata (the .git directory, and the .git
// files of submodules) out of every artifact, whatever the ignore rules say.
const gitIgnore = ".git"

// Secret data key suffixes of the verification Secret of a GitRepository.
const (
	// openPGPKeySuffix ends the keys holding armored OpenPGP public keys.
	openPGPKeySuffix = ".asc"
	// allowedSignersSuffix ends the keys holding SSH allowed-signers lists.
	allowedSignersSuffix = "allowed_signers"
)

// GitRepositoryReconciler reconciles GitRepository objects: it clones the
// repository at the reference the spec names, verifies signatures when asked,
// stores the tree as an artifact in Storage and records it in
// status.artifact with the RFC-0005 revision "<ref>@sha1:<hex>".
//
// When the remote reference has not moved since the stored artifact was
// built, and the ignore, sparse-checkout and submodule settings are those the
// artifact was built with, nothing is cloned and the artifact is kept.
type GitRepositoryReconciler struct {
	// Client reads GitRepositories and Secrets and writes status. Required.
	Client client.Client
	// Storage keeps and serves the artifacts. Required.
	Storage *storage.Storage
	// EventRecorder records an event for each new revision and each
	// failure. Default nil: no events.
	EventRecorder *events.Recorder
	// InsecureHTTP is the policy on plain-HTTP repository URLs: with Allow
	// false (the default) an http:// URL stalls with
	// InsecureConnectionsDisallowed, and credentials never go over plain
	// HTTP.
	InsecureHTTP flags.InsecureHTTPOptions
	// MaxConcurrentReconciles is how many GitRepositories are reconciled at
	// once. Default 0: one.
	MaxConcurrentReconciles int
}

// SetupWithManager registers the reconciler with mgr, watching
// GitRepositories for new generations and reconcile requests. The controller
// is named "gitrepository"; controller-runtime's process-wide check of unique
// controller names is skipped, so tests and the quickstart may run several
// managers in one process.
func (r *GitRepositoryReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Client == nil || r.Storage == nil {
		return errors.New("setup gitrepository controller: Client and Storage are required")
	}
	skip := true
	return ctrl.NewControllerManagedBy(mgr).
		Named("gitrepository").
		For(&sourcev1.GitRepository{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles, SkipNameValidation: &skip}).
		Complete(r)
}

// Reconcile implements reconcile.Reconciler.
func (r *GitRepositoryReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &sourcev1.GitRepository{}
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	c := &common{client: r.Client, storage: r.Storage, recorder: r.EventRecorder, kind: sourcev1.GitRepositoryKind}
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
func (r *GitRepositoryReconciler) reconcileArtifact(ctx context.Context, obj *sourcev1.GitRepository) (string, error) {
	spec := obj.Spec
	if _, err := git.ParseURL(spec.URL); err != nil {
		return "", stalled(meta.InvalidURLReason, err)
	}
	if err := r.InsecureHTTP.CheckURL(spec.URL); err != nil {
		return "", stalled(meta.InsecureConnectionsDisallowedReason, err)
	}
	var data map[string][]byte
	if spec.SecretRef != nil {
		d, err := secretData(ctx, r.Client, obj.Namespace, spec.SecretRef.Name, meta.AuthenticationFailedReason)
		if err != nil {
			return "", err
		}
		data = d
	}
	auth, err := git.NewAuthOptions(spec.URL, data)
	if err != nil {
		return "", classifyGitError(err)
	}
	auth.AllowInsecureHTTP = r.InsecureHTTP.Allow

	verifier, err := r.verifier(ctx, obj)
	if err != nil {
		return "", err
	}

	tmp, err := os.MkdirTemp("", "gitrepository-")
	if err != nil {
		return "", fetchFailed(meta.FailedReason, err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	opts := git.CloneOptions{
		Reference:         checkoutReference(spec.Reference),
		SparseDirectories: spec.SparseCheckout,
		RecurseSubmodules: spec.RecurseSubmodules,
	}
	if r.canSkipClone(obj) {
		opts.LastObservedCommit = obj.Status.Artifact.Revision
	}
	dir := filepath.Join(tmp, "checkout")
	gc, err := gogit.NewClient(dir, auth)
	if err != nil {
		return "", classifyGitError(err)
	}
	commit, err := gc.Clone(ctx, spec.URL, opts)
	var unchanged *git.NoChangeError
	if errors.As(err, &unchanged) {
		if unchanged.Commit != nil && unchanged.Commit.Revision().String() == obj.Status.Artifact.Revision {
			a := obj.Status.Artifact
			a.URL = r.Storage.URL(a.Path)
			conditions.MarkTrue(obj, meta.ArtifactInStorageCondition, meta.SucceededReason,
				"stored artifact for revision %s", a.Revision)
			return "", nil
		}
		// Same commit under another name: build the artifact anew.
		opts.LastObservedCommit = ""
		commit, err = gc.Clone(ctx, spec.URL, opts)
	}
	if err != nil {
		return "", classifyGitError(err)
	}
	revision := commit.Revision().String()

	if verifier != nil {
		if err := verifyGit(ctx, gc, obj, verifier); err != nil {
			return "", err
		}
	} else {
		conditions.Delete(obj, meta.SourceVerifiedCondition)
	}

	a, err := r.Storage.Store(ctx, storage.Object{Kind: sourcev1.GitRepositoryKind, Namespace: obj.Namespace, Name: obj.Name},
		dir, revision, storage.StoreOptions{Ignore: append([]string{gitIgnore}, ignorePatterns(spec.Ignore)...)})
	if err != nil {
		return "", storeFailure(err)
	}
	isNew := keepUpdateTime(obj.Status.Artifact, &a)
	obj.Status.Artifact = &a
	obj.Status.ObservedIgnore = spec.Ignore
	obj.Status.ObservedSparseCheckout = slices.Clone(spec.SparseCheckout)
	obj.Status.ObservedRecurseSubmodules = spec.RecurseSubmodules
	conditions.MarkTrue(obj, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored artifact for revision %s", revision)
	if isNew {
		return revision, nil
	}
	return "", nil
}

// canSkipClone reports whether the stored artifact may be kept when the
// remote has not moved: it is still on disk, was built with the current
// ignore, sparse-checkout and submodule settings, and, with verification on,
// was verified for the current generation.
func (r *GitRepositoryReconciler) canSkipClone(obj *sourcev1.GitRepository) bool {
	a := obj.Status.Artifact
	if a == nil || !r.Storage.Has(a) {
		return false
	}
	if !equalPtr(obj.Status.ObservedIgnore, obj.Spec.Ignore) ||
		obj.Status.ObservedRecurseSubmodules != obj.Spec.RecurseSubmodules ||
		!sameSet(obj.Status.ObservedSparseCheckout, obj.Spec.SparseCheckout) {
		return false
	}
	if obj.Spec.Verify != nil {
		return conditions.IsTrue(obj, meta.SourceVerifiedCondition) &&
			conditions.GetObservedGeneration(obj, meta.SourceVerifiedCondition) == obj.Generation
	}
	return true
}

// verifier builds the signature verifier of obj's spec.verify, nil when
// verification is off.
func (r *GitRepositoryReconciler) verifier(ctx context.Context, obj *sourcev1.GitRepository) (*signature.Verifier, error) {
	v := obj.Spec.Verify
	if v == nil {
		return nil, nil
	}
	if (v.Mode == sourcev1.GitVerifyTag || v.Mode == sourcev1.GitVerifyTagAndHEAD) &&
		(obj.Spec.Reference == nil || obj.Spec.Reference.Tag == "") {
		return nil, verifyConfigError(fmt.Errorf("verification mode %s needs spec.ref.tag", v.Mode))
	}
	data, err := verificationSecret(ctx, r.Client, obj.Namespace, v.SecretRef.Name)
	if err != nil {
		return nil, err
	}
	var keys signature.TrustedKeys
	names := make([]string, 0, len(data))
	for k := range data {
		names = append(names, k)
	}
	sort.Strings(names)
	var signers [][]byte
	for _, k := range names {
		switch {
		case strings.HasSuffix(k, openPGPKeySuffix):
			keys.OpenPGPKeyRings = append(keys.OpenPGPKeyRings, data[k])
		case strings.HasSuffix(k, allowedSignersSuffix):
			signers = append(signers, bytes.TrimRight(data[k], "\n"))
		}
	}
	if len(signers) > 0 {
		keys.AllowedSigners = append(bytes.Join(signers, []byte("\n")), '\n')
	}
	if len(keys.OpenPGPKeyRings) == 0 && len(keys.AllowedSigners) == 0 {
		return nil, verifyConfigError(fmt.Errorf("secret %s/%s holds no key ending in %q or %q",
			obj.Namespace, v.SecretRef.Name, openPGPKeySuffix, allowedSignersSuffix))
	}
	verifier, err := signature.NewVerifier(keys)
	if err != nil {
		return nil, verifyConfigError(err)
	}
	return verifier, nil
}

// verifyGit checks the signatures spec.verify.mode asks for and marks
// SourceVerified.
func verifyGit(ctx context.Context, c *gogit.Client, obj *sourcev1.GitRepository, v *signature.Verifier) error {
	mode := obj.Spec.Verify.Mode
	if mode == "" {
		mode = sourcev1.GitVerifyHEAD
	}
	var msgs []string
	if mode == sourcev1.GitVerifyTag || mode == sourcev1.GitVerifyTagAndHEAD {
		tag := obj.Spec.Reference.Tag
		got, err := c.VerifyTag(ctx, tag, v)
		if err != nil {
			return verificationFailure(obj, fmt.Errorf("verify tag %s: %w", tag, err))
		}
		msgs = append(msgs, fmt.Sprintf("tag %s signed by %s (%s)", tag, got.Signer, got.KeyID))
	}
	if mode == sourcev1.GitVerifyHEAD || mode == sourcev1.GitVerifyTagAndHEAD {
		got, err := c.VerifyCommit(ctx, "", v)
		if err != nil {
			return verificationFailure(obj, fmt.Errorf("verify commit: %w", err))
		}
		msgs = append(msgs, fmt.Sprintf("commit signed by %s (%s)", got.Signer, got.KeyID))
	}
	conditions.MarkTrue(obj, meta.SourceVerifiedCondition, meta.SucceededReason, "verified %s", strings.Join(msgs, ", "))
	return nil
}

// verificationFailure is a signature that did not verify: the artifact is
// not updated, and the source is looked at again at the interval, when a new
// commit may have come.
func verificationFailure(obj *sourcev1.GitRepository, err error) error {
	return &failure{
		condition:  meta.SourceVerifiedCondition,
		reason:     meta.VerificationFailedReason,
		retryAfter: obj.Spec.Interval.Duration,
		err:        err,
	}
}

// verifyConfigError is a verification configuration that cannot work.
func verifyConfigError(err error) error {
	return &failure{stalled: true, condition: meta.SourceVerifiedCondition, reason: meta.InvalidConfigReason, err: err}
}

// storeFailure classifies a failure to build or store the artifact.
func storeFailure(err error) error {
	f := &failure{condition: meta.ArtifactInStorageCondition, reason: meta.ArtifactFailedReason, err: err}
	if errors.Is(err, archive.ErrInvalidPattern) {
		f.stalled = true
		f.reason = meta.InvalidConfigReason
	}
	return f
}

// classifyGitError maps the errors of package git to failures.
func classifyGitError(err error) error {
	var (
		urlErr     *git.URLError
		hostKeyErr *git.HostKeyError
	)
	switch {
	case errors.As(err, &urlErr):
		return stalled(meta.InvalidURLReason, err)
	case errors.Is(err, git.ErrInsecureHTTP):
		return stalled(meta.InsecureConnectionsDisallowedReason, err)
	case errors.Is(err, git.ErrInvalidAuth), errors.Is(err, git.ErrInvalidOptions):
		return stalled(meta.InvalidConfigReason, err)
	case errors.As(err, &hostKeyErr):
		return stalled(meta.AuthenticationFailedReason, err)
	case errors.Is(err, git.ErrAuthenticationFailed):
		return fetchFailed(meta.AuthenticationFailedReason, err)
	default:
		return fetchFailed(meta.FailedReason, err)
	}
}

// checkoutReference converts the API reference.
func checkoutReference(ref *sourcev1.GitRepositoryReference) git.CheckoutReference {
	if ref == nil {
		return git.CheckoutReference{}
	}
	return git.CheckoutReference{Branch: ref.Branch, Tag: ref.Tag, SemVer: ref.SemVer, Commit: ref.Commit, Name: ref.Name}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
