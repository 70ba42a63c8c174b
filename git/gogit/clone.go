package gogit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/version"
)

// Clone clones the repository at rawURL into the client's directory and
// checks out what opts.Reference names (see git.CheckoutReference for the
// precedence), shallow unless opts.FullHistory is set. It returns the commit
// checked out, with its Reference set to the full reference that led to it.
//
// Cloning by semver range or with opts.LastObservedCommit set first lists the
// remote references (one ref advertisement). When the reference still points
// at LastObservedCommit, Clone fetches nothing, leaves the directory alone
// and returns the observed commit (hash and reference only) together with a
// *git.NoChangeError. Cloning by Commit needs no listing: the commit is
// compared with LastObservedCommit directly.
//
// With opts.SparseDirectories only those directories reach the disk; with
// opts.RecurseSubmodules the submodules are cloned too, each into its path,
// with the credentials rules described on git.CloneOptions. The client's
// proxy (WithProxy), progress callbacks (WithProgress, WithProgressWriter)
// and capability tweaks (WithMultiACK) apply to every request, submodules
// included.
//
// Errors: a *git.URLError (git.ErrInvalidURL, git.ErrUnsupportedScheme), a
// *git.AuthError (git.ErrInvalidAuth, git.ErrInsecureHTTP), an error
// wrapping git.ErrInvalidOptions for an unusable sparse directory, an error
// wrapping git.ErrTargetNotEmpty when the directory holds files, a
// *git.OpError with git.ErrUnsupportedScheme for a transport the proxy
// cannot carry, and for failures
// against the server a *git.OpError whose chain holds git.ErrRepositoryNotFound,
// git.ErrReferenceNotFound, git.ErrAuthenticationFailed,
// git.ErrUnreachable, the context's error, or a *git.HostKeyError
// (git.ErrUnknownHost, git.ErrHostKeyMismatch); a proxy refusing its
// credentials is git.ErrAuthenticationFailed. A submodule that fails
// returns the same errors for the submodule's URL, prefixed with
// "clone submodule <path>". After a failure the directory is as it was:
// removed if Clone created it, empty otherwise.
func (c *Client) Clone(ctx context.Context, rawURL string, opts git.CloneOptions) (*git.Commit, error) {
	return c.clone(ctx, rawURL, opts, 0)
}

// clone is Clone for the repository itself (level 0) or for a submodule
// (level 1 and deeper).
func (c *Client) clone(ctx context.Context, rawURL string, opts git.CloneOptions, level int) (*git.Commit, error) {
	u, auth, err := c.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("clone: %w", err)
	}
	job := &cloneJob{opts: opts, url: u, auth: auth, level: level}
	if job.sparse, err = sparseDirs(opts.SparseDirectories); err != nil {
		return nil, fmt.Errorf("clone %s: %w", u.Redacted(), err)
	}
	r, err := c.remote("clone", u, auth)
	if err != nil {
		return nil, err
	}
	var last git.Hash
	if opts.LastObservedCommit != "" {
		if last, err = parseObserved(opts.LastObservedCommit); err != nil {
			return nil, fmt.Errorf("clone %s: last observed commit: %w", u.Redacted(), err)
		}
	}
	existed, err := prepareDir(c.dir)
	if err != nil {
		return nil, err
	}

	ref := opts.Reference
	if ref.Commit != "" {
		return c.cloneCommit(ctx, r, job, last, existed)
	}

	name, needList := refName(ref)
	if needList || !last.IsZero() {
		observed, err := r.resolve(ctx, ref, name)
		if err != nil {
			return nil, err
		}
		if !last.IsZero() && observed.Hash == last {
			return observed, &git.NoChangeError{Commit: observed}
		}
		name = plumbing.ReferenceName(observed.Reference)
	}

	depth := 1
	if opts.FullHistory {
		depth = 0
	}
	if name != "" && !name.IsBranch() && !name.IsTag() {
		commit, err := c.fetch(ctx, r, job, config.RefSpec("+"+name.String()+":"+name.String()), name, name.String(), depth)
		if err != nil {
			cleanDir(c.dir, existed)
			var sub *submoduleError
			if errors.As(err, &sub) {
				return nil, sub.err
			}
			return nil, r.fail(ctx, "clone", err)
		}
		return commit, nil
	}
	repo, err := gogit.PlainCloneContext(ctx, c.dir, false, &gogit.CloneOptions{
		URL:           r.url,
		Auth:          r.auth,
		ReferenceName: name,
		SingleBranch:  true,
		Depth:         depth,
		Tags:          gogit.NoTags,
		NoCheckout:    len(job.sparse) > 0,
		Progress:      r.progress,
		CABundle:      r.caBundle,
		ClientCert:    r.clientCert,
		ClientKey:     r.clientKey,
		ProxyOptions:  r.proxy,
	})
	if err != nil {
		cleanDir(c.dir, existed)
		return nil, r.fail(ctx, "clone", err)
	}
	fail := func(err error) (*git.Commit, error) {
		cleanDir(c.dir, existed)
		return nil, r.fail(ctx, "clone", err)
	}
	head, err := repo.Head()
	if err != nil {
		return fail(err)
	}
	reference := string(name)
	if reference == "" {
		reference = head.Name().String()
	}
	commit, err := commitOf(repo, head.Hash(), reference)
	if err != nil {
		return fail(err)
	}
	if len(job.sparse) > 0 {
		co := &gogit.CheckoutOptions{Hash: head.Hash(), Force: true, SparseCheckoutDirectories: job.sparse}
		if head.Name().IsBranch() {
			co = &gogit.CheckoutOptions{Branch: head.Name(), Force: true, SparseCheckoutDirectories: job.sparse}
		}
		if err := checkout(repo, co); err != nil {
			return fail(err)
		}
	}
	if err := c.submodules(ctx, r, job, repo, head.Hash()); err != nil {
		cleanDir(c.dir, existed)
		return nil, err
	}
	return commit, nil
}

// cloneJob is what one clone needs beyond the remote: the caller's options,
// the validated sparse directories, and where it stands in a tree of
// submodules.
type cloneJob struct {
	opts   git.CloneOptions
	sparse []string
	url    *url.URL
	auth   *git.AuthOptions
	level  int
}

// checkout checks co out in repo's worktree.
func checkout(repo *gogit.Repository, co *gogit.CheckoutOptions) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	return wt.Checkout(co)
}

// cloneCommit checks out job's Reference.Commit. Unless FullHistory is set
// it first fetches that commit alone, at depth 1, which servers allow when
// they advertise allow-reachable-sha1-in-want or allow-tip-sha1-in-want;
// otherwise it fetches the full history (of Reference.Branch when set, else
// of every branch) and checks the commit out of it.
func (c *Client) cloneCommit(ctx context.Context, r *remote, job *cloneJob, last git.Hash, existed bool) (*git.Commit, error) {
	ref := job.opts.Reference
	want, err := git.ParseHash(ref.Commit)
	if err != nil {
		return nil, &git.OpError{Op: "clone", URL: r.redacted, Kind: git.ErrReferenceNotFound, Err: err}
	}
	reference := ""
	var name plumbing.ReferenceName
	if ref.Branch != "" {
		name = plumbing.NewBranchReferenceName(ref.Branch)
		reference = name.String()
	}
	if want == last {
		observed := &git.Commit{Hash: want, Reference: reference}
		return observed, &git.NoChangeError{Commit: observed}
	}
	if !job.opts.FullHistory {
		local := name
		if local == "" {
			local = plumbing.ReferenceName("refs/sluice/checkout")
		}
		commit, err := c.fetch(ctx, r, job, config.RefSpec(want.Hex+":"+local.String()), local, reference, 1)
		if err == nil {
			return commit, nil
		}
		cleanDir(c.dir, existed)
		var sub *submoduleError
		if errors.As(err, &sub) {
			return nil, sub.err
		}
		if !errors.Is(err, gogit.ErrExactSHA1NotSupported) {
			return nil, r.fail(ctx, "clone", err)
		}
	}
	repo, err := gogit.PlainCloneContext(ctx, c.dir, false, &gogit.CloneOptions{
		URL:           r.url,
		Auth:          r.auth,
		ReferenceName: name,
		SingleBranch:  ref.Branch != "",
		NoCheckout:    true,
		Tags:          gogit.NoTags,
		Progress:      r.progress,
		CABundle:      r.caBundle,
		ClientCert:    r.clientCert,
		ClientKey:     r.clientKey,
		ProxyOptions:  r.proxy,
	})
	if err != nil {
		cleanDir(c.dir, existed)
		return nil, r.fail(ctx, "clone", err)
	}
	fail := func(err error) (*git.Commit, error) {
		cleanDir(c.dir, existed)
		return nil, r.fail(ctx, "clone", err)
	}
	h := plumbing.NewHash(want.Hex)
	commit, err := commitOf(repo, h, reference)
	if err != nil {
		return fail(fmt.Errorf("commit %s: %w", want.Hex, err))
	}
	if err := checkout(repo, &gogit.CheckoutOptions{Hash: h, Force: true, SparseCheckoutDirectories: job.sparse}); err != nil {
		return fail(err)
	}
	if err := c.submodules(ctx, r, job, repo, h); err != nil {
		cleanDir(c.dir, existed)
		return nil, err
	}
	return commit, nil
}

// fetch initialises the directory, fetches spec into local and checks
// local's commit out detached, then its submodules. It is how references
// that are neither branches nor tags (refs/pull/1/head, which go-git's clone
// would look for under refs/heads) and single commits are fetched. The
// caller cleans up and classifies errors, but for a *submoduleError, which
// carries the classified error of the submodule.
func (c *Client) fetch(ctx context.Context, r *remote, job *cloneJob, spec config.RefSpec, local plumbing.ReferenceName, reference string, depth int) (*git.Commit, error) {
	repo, err := gogit.PlainInit(c.dir, false)
	if err != nil {
		return nil, err
	}
	rem, err := repo.CreateRemote(&config.RemoteConfig{Name: gogit.DefaultRemoteName, URLs: []string{r.url}})
	if err != nil {
		return nil, err
	}
	err = rem.FetchContext(ctx, &gogit.FetchOptions{
		RefSpecs:     []config.RefSpec{spec},
		Auth:         r.auth,
		Depth:        depth,
		Tags:         gogit.NoTags,
		Progress:     r.progress,
		CABundle:     r.caBundle,
		ClientCert:   r.clientCert,
		ClientKey:    r.clientKey,
		ProxyOptions: r.proxy,
	})
	if err != nil {
		return nil, err
	}
	ref, err := repo.Reference(local, true)
	if err != nil {
		return nil, err
	}
	commit, err := commitOf(repo, ref.Hash(), reference)
	if err != nil {
		return nil, err
	}
	if err := checkout(repo, &gogit.CheckoutOptions{Hash: ref.Hash(), Force: true, SparseCheckoutDirectories: job.sparse}); err != nil {
		return nil, err
	}
	if err := c.submodules(ctx, r, job, repo, ref.Hash()); err != nil {
		return nil, &submoduleError{err: err}
	}
	return commit, nil
}

// refName returns the reference a clone asks go-git for, and whether it has
// to be found by listing the remote first (semver ranges).
func refName(ref git.CheckoutReference) (plumbing.ReferenceName, bool) {
	switch {
	case ref.Name != "":
		return plumbing.ReferenceName(ref.Name), false
	case ref.SemVer != "":
		return "", true
	case ref.Tag != "":
		return plumbing.NewTagReferenceName(ref.Tag), false
	case ref.Branch != "":
		return plumbing.NewBranchReferenceName(ref.Branch), false
	default:
		return "", false
	}
}

// resolve lists the remote references once and returns the commit that ref
// names (name, a semver range, or HEAD when name is empty), peeling
// annotated tags.
func (r *remote) resolve(ctx context.Context, ref git.CheckoutReference, name plumbing.ReferenceName) (*git.Commit, error) {
	refs, err := r.list(ctx)
	if err != nil {
		return nil, r.fail(ctx, "ls-remote", err)
	}
	byName := make(map[plumbing.ReferenceName]*plumbing.Reference, len(refs))
	var tags []string
	for _, x := range refs {
		byName[x.Name()] = x
		if x.Name().IsTag() && !strings.HasSuffix(x.Name().String(), "^{}") {
			tags = append(tags, x.Name().Short())
		}
	}
	if ref.SemVer != "" && ref.Name == "" {
		c, err := version.ParseConstraint(ref.SemVer)
		if err != nil {
			return nil, &git.OpError{Op: "ls-remote", URL: r.redacted, Kind: git.ErrReferenceNotFound, Err: err}
		}
		newest := version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true})
		if len(newest) == 0 {
			return nil, &git.OpError{Op: "ls-remote", URL: r.redacted, Kind: git.ErrReferenceNotFound,
				Err: fmt.Errorf("no tag matches %q", ref.SemVer)}
		}
		name = plumbing.NewTagReferenceName(newest[0].Original())
	}
	if name == "" {
		head, ok := byName[plumbing.HEAD]
		if !ok {
			return nil, &git.OpError{Op: "ls-remote", URL: r.redacted, Kind: git.ErrReferenceNotFound, Err: errors.New("no HEAD advertised")}
		}
		name = head.Target()
		if head.Type() == plumbing.HashReference {
			for _, x := range refs {
				if x.Name().IsBranch() && x.Hash() == head.Hash() {
					name = x.Name()
					break
				}
			}
		}
	}
	target, ok := byName[name]
	if !ok {
		return nil, &git.OpError{Op: "ls-remote", URL: r.redacted, Kind: git.ErrReferenceNotFound, Err: fmt.Errorf("%s not advertised", name)}
	}
	h := target.Hash()
	if peeled, ok := byName[plumbing.ReferenceName(name.String()+"^{}")]; ok {
		h = peeled.Hash()
	}
	hash, err := git.ParseHash(h.String())
	if err != nil {
		return nil, &git.OpError{Op: "ls-remote", URL: r.redacted, Err: err}
	}
	return &git.Commit{Hash: hash, Reference: name.String()}, nil
}

// parseObserved reads a LastObservedCommit in one pass through version: a
// bare hash, an RFC-0005 or a legacy revision, its pointer ignored.
func parseObserved(s string) (git.Hash, error) {
	rev, err := version.ParseAnyRevision(s)
	if err != nil {
		return git.Hash{}, err
	}
	return git.RevisionHash(rev)
}

// commitOf reads a commit of repo into a git.Commit.
func commitOf(repo *gogit.Repository, h plumbing.Hash, reference string) (*git.Commit, error) {
	obj, err := repo.CommitObject(h)
	if err != nil {
		return nil, err
	}
	hash, err := git.ParseHash(obj.Hash.String())
	if err != nil {
		return nil, err
	}
	c := &git.Commit{
		Hash:      hash,
		Reference: reference,
		Author:    signature(obj.Author),
		Committer: signature(obj.Committer),
		Message:   obj.Message,
	}
	for _, p := range obj.ParentHashes {
		ph, err := git.ParseHash(p.String())
		if err != nil {
			return nil, err
		}
		c.Parents = append(c.Parents, ph)
	}
	return c, nil
}

func signature(s object.Signature) git.Signature {
	return git.Signature{Name: s.Name, Email: s.Email, When: s.When}
}
