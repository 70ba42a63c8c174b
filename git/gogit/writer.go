package gogit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/sluice-dev/sluice/git"
	gitsignature "github.com/sluice-dev/sluice/git/signature"
)

// defaultBranch is the branch Init names when InitOptions.Branch is empty.
const defaultBranch = "main"

// Init creates an empty repository in the client's directory, which must be
// absent or empty, with rawURL as its "origin" remote and HEAD naming
// opts.Branch. Credentials in rawURL are not stored: later pushes and
// fetches use the client's AuthOptions.
//
// It returns a *git.URLError or *git.AuthError for a URL the client refuses,
// an error wrapping git.ErrTargetNotEmpty when the directory holds files,
// git.ErrInvalidOptions for an invalid branch name, or the context's error.
// After a failure the directory is as it was.
func (c *Client) Init(ctx context.Context, rawURL string, opts git.InitOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	u, _, err := c.checkURL(rawURL)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	branch := plumbing.NewBranchReferenceName(cmp.Or(opts.Branch, defaultBranch))
	if err := branch.Validate(); err != nil {
		return fmt.Errorf("init: branch %q: %w", opts.Branch, git.ErrInvalidOptions)
	}
	existed, err := emptyDir("init", c.dir)
	if err != nil {
		return err
	}
	repo, err := gogit.PlainInitWithOptions(c.dir, &gogit.PlainInitOptions{
		InitOptions: gogit.InitOptions{DefaultBranch: branch},
	})
	if err == nil {
		_, err = repo.CreateRemote(&config.RemoteConfig{Name: gogit.DefaultRemoteName, URLs: []string{u.String()}})
	}
	if err != nil {
		cleanDir(c.dir, existed)
		return fmt.Errorf("init %s: %w", c.dir, err)
	}
	return nil
}

// emptyDir checks that dir is absent or empty and reports whether it
// existed.
func emptyDir(op, dir string) (existed bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s %s: %w", op, dir, err)
	case len(entries) > 0:
		return true, fmt.Errorf("%s %s: %w", op, dir, git.ErrTargetNotEmpty)
	}
	return true, nil
}

// Open opens the repository in the client's directory (made by Clone, Init
// or the git CLI) and returns the commit HEAD points at, its Reference
// naming the branch, or empty when HEAD is detached. For a repository
// without commits it returns a nil commit and no error.
//
// It returns an error wrapping git.ErrNotRepository when the directory holds
// no repository, or the context's error.
func (c *Client) Open(ctx context.Context) (*git.Commit, error) {
	repo, err := c.open(ctx, "open")
	if err != nil {
		return nil, err
	}
	commit, err := headCommit(repo)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", c.dir, err)
	}
	return commit, nil
}

// open opens the client's repository for the verb op.
func (c *Client) open(ctx context.Context, op string) (*gogit.Repository, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	repo, err := gogit.PlainOpen(c.dir)
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s %s: %w", op, c.dir, git.ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, c.dir, err)
	}
	return repo, nil
}

// headCommit returns the commit HEAD points at, or nil when the branch HEAD
// names has no commit yet.
func headCommit(repo *gogit.Repository) (*git.Commit, error) {
	head, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	reference := ""
	if head.Name().IsBranch() {
		reference = head.Name().String()
	}
	return commitOf(repo, head.Hash(), reference)
}

// SwitchBranch checks out the branch name (without "refs/heads/"). A local
// branch is checked out as it is. A missing branch is created from the
// "origin" remote's branch of that name when the remote has one (fetched,
// shallow when the repository is shallow, and tracked), else from HEAD
// (without asking the remote when opts.NoFetch is set). Changes of the
// worktree are kept when the branch points at HEAD's commit; otherwise the
// worktree must have no uncommitted changes to tracked files. In a
// repository without commits, HEAD just names the new branch.
//
// It returns the commit now checked out (nil in a repository without
// commits), with Reference naming the branch. Errors: git.ErrInvalidOptions
// for an invalid name, git.ErrNotRepository, git.ErrUncommittedChanges, and
// for the fetch the errors Clone returns (*git.OpError with Op "fetch").
func (c *Client) SwitchBranch(ctx context.Context, name string, opts git.SwitchBranchOptions) (*git.Commit, error) {
	ref := plumbing.NewBranchReferenceName(name)
	if name == "" || ref.Validate() != nil {
		return nil, fmt.Errorf("switch branch %q: %w", name, git.ErrInvalidOptions)
	}
	repo, err := c.open(ctx, "switch branch")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*git.Commit, error) {
		return nil, fmt.Errorf("switch to branch %s: %w", name, err)
	}
	head, err := repo.Head()
	unborn := errors.Is(err, plumbing.ErrReferenceNotFound)
	if err != nil && !unborn {
		return fail(err)
	}

	target := plumbing.ZeroHash
	local, err := repo.Reference(ref, true)
	exists := err == nil
	switch {
	case exists:
		target = local.Hash()
	case !errors.Is(err, plumbing.ErrReferenceNotFound):
		return fail(err)
	case !opts.NoFetch:
		h, found, err := c.fetchBranch(ctx, repo, name)
		if err != nil {
			return nil, err
		}
		if found {
			target = h
		}
	}
	fromRemote := !exists && !target.IsZero()
	if target.IsZero() {
		if unborn {
			// No commit anywhere: HEAD just names the new branch.
			if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, ref)); err != nil {
				return fail(err)
			}
			return nil, nil
		}
		target = head.Hash()
	}
	sameCommit := !unborn && target == head.Hash()
	var wt *gogit.Worktree
	if !sameCommit {
		if wt, err = repo.Worktree(); err != nil {
			return fail(err)
		}
		if !unborn {
			if err := checkClean(wt); err != nil {
				return fail(err)
			}
		}
	}
	if !exists {
		if err := repo.Storer.SetReference(plumbing.NewHashReference(ref, target)); err != nil {
			return fail(err)
		}
		if fromRemote {
			err := repo.CreateBranch(&config.Branch{Name: name, Remote: gogit.DefaultRemoteName, Merge: ref})
			if err != nil && !errors.Is(err, gogit.ErrBranchExists) {
				return fail(err)
			}
		}
	}
	if sameCommit {
		// Same commit: move HEAD and keep the worktree as it is.
		if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, ref)); err != nil {
			return fail(err)
		}
		return c.branchCommit(repo, target, ref)
	}
	if err := wt.Checkout(&gogit.CheckoutOptions{Branch: ref, Force: true}); err != nil {
		return fail(err)
	}
	return c.branchCommit(repo, target, ref)
}

func (c *Client) branchCommit(repo *gogit.Repository, h plumbing.Hash, ref plumbing.ReferenceName) (*git.Commit, error) {
	commit, err := commitOf(repo, h, ref.String())
	if err != nil {
		return nil, fmt.Errorf("switch to branch %s: %w", ref.Short(), err)
	}
	return commit, nil
}

// checkClean returns git.ErrUncommittedChanges when a tracked file is
// modified, staged or deleted. Untracked files do not count.
func checkClean(wt *gogit.Worktree) error {
	status, err := wt.Status()
	if err != nil {
		return err
	}
	var dirty []string
	for p, s := range status {
		if s.Worktree == gogit.Untracked && s.Staging == gogit.Untracked {
			continue
		}
		if s.Worktree != gogit.Unmodified || s.Staging != gogit.Unmodified {
			dirty = append(dirty, p)
		}
	}
	if len(dirty) > 0 {
		slices.Sort(dirty)
		return fmt.Errorf("%w: %s", git.ErrUncommittedChanges, strings.Join(dirty, ", "))
	}
	return nil
}

// fetchBranch fetches the origin remote's branch name into
// refs/remotes/origin/<name> and returns its commit, or found false when the
// remote has no such branch (or no origin remote is configured).
func (c *Client) fetchBranch(ctx context.Context, repo *gogit.Repository, name string) (plumbing.Hash, bool, error) {
	rem, err := repo.Remote(gogit.DefaultRemoteName)
	if errors.Is(err, gogit.ErrRemoteNotFound) || (err == nil && len(rem.Config().URLs) == 0) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("switch to branch %s: %w", name, err)
	}
	r, err := c.remoteOf(rem, "fetch")
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	depth := 0
	if shallow, err := repo.Storer.Shallow(); err == nil && len(shallow) > 0 {
		depth = 1
	}
	tracking := plumbing.NewRemoteReferenceName(gogit.DefaultRemoteName, name)
	err = rem.FetchContext(ctx, &gogit.FetchOptions{
		RemoteURL:    r.url,
		RefSpecs:     []config.RefSpec{config.RefSpec("+" + plumbing.NewBranchReferenceName(name).String() + ":" + tracking.String())},
		Auth:         r.auth,
		Depth:        depth,
		Tags:         gogit.NoTags,
		CABundle:     r.caBundle,
		ClientCert:   r.clientCert,
		ClientKey:    r.clientKey,
		ProxyOptions: r.proxy,
		Progress:     r.progress,
	})
	var noMatch gogit.NoMatchingRefSpecError
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate):
	case errors.As(err, &noMatch), errors.Is(err, transport.ErrEmptyRemoteRepository),
		errors.Is(err, plumbing.ErrReferenceNotFound):
		return plumbing.ZeroHash, false, nil
	default:
		return plumbing.ZeroHash, false, r.fail(ctx, "fetch", err)
	}
	ref, err := repo.Reference(tracking, true)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("switch to branch %s: %w", name, err)
	}
	return ref.Hash(), true, nil
}

// remoteOf checks the URL of a configured remote against the client's
// transport policy and builds its go-git view with the client's options
// (proxy, progress).
func (c *Client) remoteOf(rem *gogit.Remote, op string) (*remote, error) {
	urls := rem.Config().URLs
	u, auth, err := c.checkURL(urls[len(urls)-1])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return c.remote(op, u, auth)
}

// Commit records a commit on the current branch (or detached HEAD) and
// returns it. With opts.Files or opts.Delete set, it writes and deletes
// those paths and stages exactly them; other changes of the worktree are
// left alone. With neither, it stages every change of the worktree, as
// "git add -A" does (new, modified and deleted files, .gitignore honoured).
// The commit is signed when opts.SigningKey is set.
//
// It returns an error wrapping git.ErrEmptyCommit when the staged tree
// equals the parent's (nothing is recorded), git.ErrInvalidOptions for a
// missing message or author or a path outside the worktree,
// git.ErrInvalidKey for an unusable signing key, git.ErrNotRepository, or
// the context's error.
func (c *Client) Commit(ctx context.Context, opts git.CommitOptions) (*git.Commit, error) {
	if err := validateCommit(opts); err != nil {
		return nil, err
	}
	var signer gogit.Signer
	if opts.SigningKey != nil {
		s, err := gitsignature.NewSigner(*opts.SigningKey)
		if err != nil {
			return nil, fmt.Errorf("commit: %w", err)
		}
		signer = s
	}
	repo, err := c.open(ctx, "commit")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*git.Commit, error) { return nil, fmt.Errorf("commit in %s: %w", c.dir, err) }
	wt, err := repo.Worktree()
	if err != nil {
		return fail(err)
	}
	if len(opts.Files) == 0 && len(opts.Delete) == 0 {
		if err := wt.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
			return fail(err)
		}
	} else if err := c.stage(repo, wt, opts); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}

	author := object.Signature{Name: opts.Author.Name, Email: opts.Author.Email, When: opts.Author.When}
	if author.When.IsZero() {
		author.When = time.Now()
	}
	committer := author
	if opts.Committer != nil {
		committer = object.Signature{Name: opts.Committer.Name, Email: opts.Committer.Email, When: opts.Committer.When}
		if committer.When.IsZero() {
			committer.When = author.When
		}
	}
	h, err := wt.Commit(opts.Message, &gogit.CommitOptions{Author: &author, Committer: &committer, Signer: signer})
	if errors.Is(err, gogit.ErrEmptyCommit) {
		return fail(git.ErrEmptyCommit)
	}
	if err != nil {
		return fail(err)
	}
	head, err := repo.Reference(plumbing.HEAD, false)
	if err != nil {
		return fail(err)
	}
	reference := ""
	if head.Type() == plumbing.SymbolicReference {
		reference = head.Target().String()
	}
	commit, err := commitOf(repo, h, reference)
	if err != nil {
		return fail(err)
	}
	return commit, nil
}

// validateCommit checks the options of Commit that need no repository.
func validateCommit(opts git.CommitOptions) error {
	invalid := func(reason string) error { return fmt.Errorf("commit: %w: %s", git.ErrInvalidOptions, reason) }
	switch {
	case strings.TrimSpace(opts.Message) == "":
		return invalid("empty message")
	case opts.Author.Name == "" || opts.Author.Email == "":
		return invalid("author name and email required")
	case opts.Committer != nil && (opts.Committer.Name == "" || opts.Committer.Email == ""):
		return invalid("committer name and email required")
	}
	for p := range opts.Files {
		if !worktreePath(p) {
			return invalid(fmt.Sprintf("file %q outside the worktree", p))
		}
	}
	for _, p := range opts.Delete {
		if !worktreePath(p) {
			return invalid(fmt.Sprintf("deleted path %q outside the worktree", p))
		}
	}
	return nil
}

// worktreePath reports whether p is a slash-separated path inside the
// worktree and outside .git.
func worktreePath(p string) bool {
	clean := path.Clean(p)
	if p == "" || clean == "." || strings.Contains(p, "\\") || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return false
	}
	for part := range strings.SplitSeq(clean, "/") {
		if strings.EqualFold(part, ".git") {
			return false
		}
	}
	return true
}

// stage applies opts.Delete then opts.Files to the worktree and the index.
// Files are written through an os.Root, and paths that cross a symbolic
// link are refused, so that a link in the repository cannot send a write or
// a deletion outside the worktree, nor make the index disagree with what
// was written.
func (c *Client) stage(repo *gogit.Repository, wt *gogit.Worktree, opts git.CommitOptions) error {
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	paths := make([]string, 0, len(opts.Files))
	for p := range opts.Files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	// Check every path before changing anything.
	for _, p := range append(slices.Clone(opts.Delete), paths...) {
		if err := noLinkedParent(root, path.Clean(p)); err != nil {
			return err
		}
	}
	for _, p := range paths {
		clean := filepath.FromSlash(path.Clean(p))
		if fi, err := root.Lstat(clean); err == nil && !fi.Mode().IsRegular() && !slices.Contains(opts.Delete, p) {
			return fmt.Errorf("%w: %s exists and is not a regular file", git.ErrInvalidOptions, p)
		}
	}
	if len(opts.Delete) > 0 {
		idx, err := repo.Storer.Index()
		if err != nil {
			return err
		}
		for _, p := range opts.Delete {
			p = path.Clean(p)
			if err := root.RemoveAll(filepath.FromSlash(p)); err != nil {
				return err
			}
			var names []string
			for _, e := range idx.Entries {
				if e.Name == p || strings.HasPrefix(e.Name, p+"/") {
					names = append(names, e.Name)
				}
			}
			for _, n := range names {
				if _, err := idx.Remove(n); err != nil {
					return err
				}
			}
		}
		if err := repo.Storer.SetIndex(idx); err != nil {
			return err
		}
	}
	for _, p := range paths {
		clean := path.Clean(p)
		if dir := path.Dir(clean); dir != "." {
			if err := root.MkdirAll(filepath.FromSlash(dir), 0o750); err != nil {
				return err
			}
		}
		if err := root.WriteFile(filepath.FromSlash(clean), opts.Files[p], 0o600); err != nil {
			return err
		}
		if err := wt.AddWithOptions(&gogit.AddOptions{Path: clean, SkipStatus: true}); err != nil {
			return err
		}
	}
	return nil
}

// noLinkedParent returns git.ErrInvalidOptions when a directory on the way
// to p (slash-separated, clean) is a symbolic link.
func noLinkedParent(root *os.Root, p string) error {
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		dir := filepath.FromSlash(strings.Join(parts[:i], "/"))
		fi, err := root.Lstat(dir)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s crosses the symbolic link %s", git.ErrInvalidOptions, p, filepath.ToSlash(dir))
		}
	}
	return nil
}
