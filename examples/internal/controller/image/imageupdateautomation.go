package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
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
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/image/setters"
	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

// DefaultCommitTemplate is the commit message template used when
// spec.git.commit.messageTemplate is empty.
const DefaultCommitTemplate = `Update images ({{ .AutomationObject }})
{{ range .Changes }}
- {{ .File }}: {{ .OldValue }} -> {{ .NewValue }} ({{ .Policy }})
{{- end }}
`

// maxYAMLFile bounds the size of a file the automation rewrites; larger
// files are skipped.
const maxYAMLFile = 8 << 20

// TemplateData is what a commit message template is executed with.
type TemplateData struct {
	// AutomationObject is the ImageUpdateAutomation, "namespace/name".
	AutomationObject string
	// Changes are the rewritten fields, by file and then line.
	Changes []TemplateChange
}

// TemplateChange is one rewritten field.
type TemplateChange struct {
	// File is the slash-separated path of the file from the repository
	// root.
	File string
	// Line is the 1-based line of the field.
	Line int
	// OldValue is the field's value before.
	OldValue string
	// NewValue is the field's value after.
	NewValue string
	// Policy is the ImagePolicy that set it, "namespace:name".
	Policy string
}

// ImageUpdateAutomationReconciler rewrites image references in Git
// repositories to the images ImagePolicies select.
type ImageUpdateAutomationReconciler struct { //nolint:revive // named after its kind, as the examples contract asks
	// Client reads ImageUpdateAutomations, GitRepositories, ImagePolicies,
	// Secrets and Namespaces and writes the automations' status. Required.
	Client client.Client

	// EventRecorder emits events. Default nil: no events.
	EventRecorder *events.Recorder

	// MaxConcurrentReconciles is how many objects are reconciled at once.
	// Default 0: one.
	MaxConcurrentReconciles int

	// Access is the multi-tenancy lockdown: with NoCrossNamespaceRefs, an
	// automation may only use a GitRepository of its own namespace.
	// Default: the GitRepository's spec.accessFrom decides.
	Access flags.AccessOptions

	// InsecureHTTP is the plain-HTTP policy: http:// Git URLs are refused
	// (Stalled, InsecureConnectionsDisallowed) unless Allow is true.
	// Default: refused.
	InsecureHTTP flags.InsecureHTTPOptions

	// WorkDir is where repositories are cloned, one temporary folder per
	// run, removed afterwards. Default empty: os.TempDir().
	WorkDir string

	// Now returns the time of commits and status fields. Default nil:
	// time.Now.
	Now func() time.Time

	// apiReader reads objects uncached, set by SetupWithManager; nil
	// trusts the cache (see recordFailure).
	apiReader client.Reader
}

// SetupWithManager registers the reconciler with mgr: it watches
// ImageUpdateAutomations, and ImagePolicies to run the automations of
// their namespace as soon as a policy selects a new image.
func (r *ImageUpdateAutomationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.apiReader = mgr.GetAPIReader()
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageUpdateAutomation{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
		Watches(&imagev1.ImagePolicy{}, handler.EnqueueRequestsFromMapFunc(r.automationsOf)).
		Named("imageupdateautomation").
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles, SkipNameValidation: ptr.To(true)}).
		Complete(r)
}

// automationsOf maps an ImagePolicy to the automations of its namespace.
func (r *ImageUpdateAutomationReconciler) automationsOf(ctx context.Context, o client.Object) []crreconcile.Request {
	var list imagev1.ImageUpdateAutomationList
	if err := r.Client.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list image update automations", "namespace", o.GetNamespace())
		return nil
	}
	reqs := make([]crreconcile.Request, 0, len(list.Items))
	for _, a := range list.Items {
		reqs = append(reqs, crreconcile.Request{NamespacedName: types.NamespacedName{Namespace: a.Namespace, Name: a.Name}})
	}
	return reqs
}

// now returns the current time, from r.Now when set.
func (r *ImageUpdateAutomationReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Reconcile runs one ImageUpdateAutomation.
func (r *ImageUpdateAutomationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	obj := &imagev1.ImageUpdateAutomation{}
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

	msg, err := r.run(ctx, obj)
	result, retryErr := finish(obj, err, msg, obj.Spec.Interval.Duration)
	if err != nil {
		recordFailure(ctx, r.EventRecorder, r.apiReader, obj, readyBefore, reasonOf(err), err)
	}
	return result, retryErr
}

// run clones, rewrites, commits and pushes, and returns the Ready message.
func (r *ImageUpdateAutomationReconciler) run(ctx context.Context, obj *imagev1.ImageUpdateAutomation) (string, error) {
	repo, err := r.gitRepository(ctx, obj)
	if err != nil {
		return "", err
	}
	checkout := ""
	if c := obj.Spec.GitSpec.Checkout; c != nil {
		checkout = c.Ref.Branch
	} else if ref := repo.Spec.Reference; ref != nil {
		checkout = ref.Branch
	}
	if checkout == "" {
		return "", stall(meta.InvalidConfigReason, errors.New("no branch to check out: set spec.git.checkout.ref.branch or the GitRepository's spec.ref.branch"))
	}
	push := checkout
	if p := obj.Spec.GitSpec.Push; p != nil && p.Branch != "" {
		push = p.Branch
	}
	update := imagev1.UpdateStrategy{}
	if obj.Spec.Update != nil {
		update = *obj.Spec.Update
	}
	if update.Strategy != "" && update.Strategy != imagev1.UpdateStrategySetters {
		return "", stall(meta.InvalidConfigReason, fmt.Errorf("unknown update strategy %q", update.Strategy))
	}
	updatePath := path.Clean("/" + filepath.ToSlash(update.Path))[1:]
	if update.Path != "" && !filepath.IsLocal(filepath.FromSlash(update.Path)) {
		return "", stall(meta.InvalidConfigReason, fmt.Errorf("update path %q leaves the repository", update.Path))
	}
	tmpl, err := parseTemplate(obj.Spec.GitSpec.Commit.MessageTemplate)
	if err != nil {
		return "", stall(meta.InvalidConfigReason, err)
	}

	images, observed, err := r.policyImages(ctx, obj)
	if err != nil {
		return "", err
	}
	authOpts, err := r.authOptions(ctx, repo)
	if err != nil {
		return "", err
	}
	signingKey, err := r.signingKey(ctx, obj)
	if err != nil {
		return "", err
	}

	ctx, cancel := context.WithTimeout(ctx, timeout(obj.Spec.Timeout))
	defer cancel()
	dir, err := os.MkdirTemp(r.WorkDir, "image-automation-")
	if err != nil {
		return "", fmt.Errorf("make work directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	gc, err := gogit.NewClient(filepath.Join(dir, "repo"), authOpts)
	if err != nil {
		return "", stall(meta.InvalidConfigReason, err)
	}
	if _, err := gc.Clone(ctx, repo.Spec.URL, git.CloneOptions{Reference: git.CheckoutReference{Branch: checkout}}); err != nil {
		return "", gitFailure("clone", err)
	}
	if push != checkout {
		if _, err := gc.SwitchBranch(ctx, push, git.SwitchBranchOptions{}); err != nil {
			return "", gitFailure("switch to branch "+push, err)
		}
	}
	files, changes, err := rewrite(filepath.Join(dir, "repo"), updatePath, images)
	if err != nil {
		return "", fail(GitOperationFailedReason, 0, err)
	}
	now := r.now()
	runTime := metav1.NewTime(now.Truncate(time.Second))
	obj.Status.ObservedPolicies = observed
	if len(files) == 0 {
		obj.Status.LastAutomationRunTime = &runTime
		return "no image to update on branch " + push, nil
	}

	var message bytes.Buffer
	data := TemplateData{AutomationObject: obj.Namespace + "/" + obj.Name, Changes: changes}
	if err := tmpl.Execute(&message, data); err != nil {
		return "", stall(meta.InvalidConfigReason, fmt.Errorf("execute commit message template: %w", err))
	}
	author := obj.Spec.GitSpec.Commit.Author
	commit, err := gc.Commit(ctx, git.CommitOptions{
		Message:    message.String(),
		Author:     git.Signature{Name: author.Name, Email: author.Email, When: now},
		Files:      files,
		SigningKey: signingKey,
	})
	if errors.Is(err, git.ErrEmptyCommit) {
		obj.Status.LastAutomationRunTime = &runTime
		return "no image to update on branch " + push, nil
	}
	if errors.Is(err, git.ErrInvalidKey) {
		return "", stall(meta.InvalidConfigReason, err)
	}
	if err != nil {
		return "", gitFailure("commit", err)
	}
	if err := gc.Push(ctx, git.PushOptions{}); err != nil {
		return "", gitFailure("push to branch "+push, err)
	}
	obj.Status.LastAutomationRunTime = &runTime
	obj.Status.LastPushCommit = commit.Hash.Hex
	obj.Status.LastPushTime = &runTime
	msg := fmt.Sprintf("pushed commit %s to branch %s", commit.Hash.Hex, push)
	record(ctx, r.EventRecorder, obj, event.SeverityInfo, meta.SucceededReason, msg+"\n"+message.String())
	return msg, nil
}

// gitFailure classifies an error of the git module.
func gitFailure(op string, err error) error {
	err = fmt.Errorf("%s: %w", op, err)
	switch {
	case errors.Is(err, git.ErrAuthenticationFailed):
		return fail(meta.AuthenticationFailedReason, 0, err)
	case errors.Is(err, git.ErrInsecureHTTP):
		return stall(meta.InsecureConnectionsDisallowedReason, err)
	case errors.Is(err, git.ErrInvalidAuth), errors.Is(err, git.ErrInvalidURL), errors.Is(err, git.ErrUnsupportedScheme):
		return stall(meta.InvalidConfigReason, err)
	default:
		return fail(GitOperationFailedReason, 0, err)
	}
}

// parseTemplate parses a commit message template, the default when empty.
func parseTemplate(text string) (*template.Template, error) {
	if strings.TrimSpace(text) == "" {
		text = DefaultCommitTemplate
	}
	t, err := template.New("commit").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parse commit message template: %w", err)
	}
	return t, nil
}

// gitRepository returns the GitRepository of obj, checking access.
func (r *ImageUpdateAutomationReconciler) gitRepository(ctx context.Context, obj *imagev1.ImageUpdateAutomation) (*sourcev1.GitRepository, error) {
	ref := obj.Spec.SourceRef
	if ref.Kind != "" && ref.Kind != sourcev1.GitRepositoryKind {
		return nil, stall(meta.InvalidConfigReason, fmt.Errorf("source kind %q is not supported", ref.Kind))
	}
	key := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	if key.Namespace == "" {
		key.Namespace = obj.Namespace
	}
	repo := &sourcev1.GitRepository{}
	if err := r.Client.Get(ctx, key, repo); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, failf(meta.DependencyNotReadyReason, dependencyRetry, "get git repository %s: not found", key)
		}
		return nil, fmt.Errorf("get git repository %s: %w", key, err)
	}
	authz := acl.New(r.Access.AuthorizerOptions()...)
	if err := authz.Authorize(ctx, r.Client, obj.Namespace, repo, repo.Spec.AccessFrom); err != nil {
		if errors.Is(err, acl.ErrAccessDenied) {
			return nil, stall(meta.AccessDeniedReason, err)
		}
		return nil, err
	}
	return repo, nil
}

// authOptions builds the Git credentials of repo from its Secret.
func (r *ImageUpdateAutomationReconciler) authOptions(ctx context.Context, repo *sourcev1.GitRepository) (*git.AuthOptions, error) {
	if err := r.InsecureHTTP.CheckURL(repo.Spec.URL); err != nil {
		return nil, stall(meta.InsecureConnectionsDisallowedReason, err)
	}
	var data map[string][]byte
	if repo.Spec.SecretRef != nil {
		d, err := getSecretData(ctx, r.Client, types.NamespacedName{Namespace: repo.Namespace, Name: repo.Spec.SecretRef.Name})
		if err != nil {
			return nil, err
		}
		data = d
	}
	opts, err := git.NewAuthOptions(repo.Spec.URL, data)
	if err != nil {
		return nil, stall(meta.InvalidConfigReason, fmt.Errorf("read credentials of git repository %s/%s: %w", repo.Namespace, repo.Name, err))
	}
	opts.AllowInsecureHTTP = r.InsecureHTTP.Allow
	return opts, nil
}

// signingKey reads the commit signing key of obj, nil when none.
func (r *ImageUpdateAutomationReconciler) signingKey(ctx context.Context, obj *imagev1.ImageUpdateAutomation) (*git.SigningKey, error) {
	sk := obj.Spec.GitSpec.Commit.SigningKey
	if sk == nil {
		return nil, nil
	}
	data, err := getSecretData(ctx, r.Client, types.NamespacedName{Namespace: obj.Namespace, Name: sk.SecretRef.Name})
	if err != nil {
		return nil, err
	}
	key := &git.SigningKey{Passphrase: data[imagev1.SigningKeyPassphraseKey]}
	switch {
	case len(data[imagev1.SigningKeyOpenPGPKey]) > 0:
		key.Format, key.PrivateKey = git.SignatureOpenPGP, data[imagev1.SigningKeyOpenPGPKey]
	case len(data[imagev1.SigningKeySSHKey]) > 0:
		key.Format, key.PrivateKey = git.SignatureSSH, data[imagev1.SigningKeySSHKey]
	default:
		return nil, stall(meta.InvalidConfigReason, fmt.Errorf("signing key secret %s has neither %q nor %q",
			sk.SecretRef.Name, imagev1.SigningKeyOpenPGPKey, imagev1.SigningKeySSHKey))
	}
	return key, nil
}

// policyImages returns the images of the selected ImagePolicies of obj's
// namespace that have selected one, keyed "namespace/name", and the same
// as status entries.
func (r *ImageUpdateAutomationReconciler) policyImages(ctx context.Context, obj *imagev1.ImageUpdateAutomation) (map[string]setters.Image, []imagev1.ObservedPolicy, error) {
	opts := []client.ListOption{client.InNamespace(obj.Namespace)}
	if obj.Spec.PolicySelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(obj.Spec.PolicySelector)
		if err != nil {
			return nil, nil, stall(meta.InvalidConfigReason, fmt.Errorf("parse policy selector: %w", err))
		}
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	} else {
		opts = append(opts, client.MatchingLabelsSelector{Selector: labels.Everything()})
	}
	var list imagev1.ImagePolicyList
	if err := r.Client.List(ctx, &list, opts...); err != nil {
		return nil, nil, fmt.Errorf("list image policies: %w", err)
	}
	images := map[string]setters.Image{}
	var observed []imagev1.ObservedPolicy
	for _, p := range list.Items {
		ref := p.Status.LatestRef
		if ref == nil {
			continue
		}
		images[p.Namespace+"/"+p.Name] = setters.Image{Name: ref.Name, Tag: ref.Tag}
		observed = append(observed, imagev1.ObservedPolicy{Namespace: p.Namespace, Name: p.Name, Ref: *ref})
	}
	slices.SortFunc(observed, func(a, b imagev1.ObservedPolicy) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return images, observed, nil
}

// rewrite applies the setters to the YAML files under sub (slash path,
// "" for the root) of the worktree root, and returns the changed files
// (slash path from the root to content) and the changes.
func rewrite(root, sub string, images map[string]setters.Image) (map[string][]byte, []TemplateChange, error) {
	files := map[string][]byte{}
	var changes []TemplateChange
	resolve := func(ns, name string) (setters.Image, bool) {
		img, ok := images[ns+"/"+name]
		return img, ok
	}
	start := filepath.Join(root, filepath.FromSlash(sub))
	if _, err := os.Lstat(start); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !d.Type().IsRegular() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > maxYAMLFile {
			return err
		}
		src, err := os.ReadFile(p) //nolint:gosec // G304: a path of the cloned worktree
		if err != nil {
			return err
		}
		out, ch, err := setters.Apply(src, resolve)
		if errors.Is(err, setters.ErrInvalidYAML) {
			return nil // not YAML, such as a template: left alone
		}
		if err != nil || len(ch) == 0 {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files[rel] = out
		for _, c := range ch {
			changes = append(changes, TemplateChange{File: rel, Line: c.Line, OldValue: c.OldValue, NewValue: c.NewValue,
				Policy: c.Setter.Namespace + ":" + c.Setter.Name})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("update files under %q: %w", sub, err)
	}
	return files, changes, nil
}
