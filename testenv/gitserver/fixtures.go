package gitserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The identity of every commit and tag the fixture helpers make.
const (
	// IdentityName is the author, committer and tagger name.
	IdentityName = "Sluice Test"
	// IdentityEmail is the author, committer and tagger email, for example
	// the principal of an SSH allowed-signers file.
	IdentityEmail = "test@sluice.invalid"
)

// fixtureEpoch is the date of a root commit. A commit with N ancestors is
// dated N minutes later, so hashes are reproducible and dates increase.
const fixtureEpoch = 1704067200 // 2024-01-01T00:00:00Z

// DefaultBranch is the branch RepoOptions and CommitOptions use by default.
const DefaultBranch = "main"

// SignFormat is the signature format of a Signer.
type SignFormat int

// Signature formats.
const (
	// SignSSH signs with ssh-keygen: Signer.Key is a private key file.
	SignSSH SignFormat = iota
	// SignOpenPGP signs with gpg: Signer.Key names a secret key of the
	// keyring in Signer.GNUPGHome.
	SignOpenPGP
)

// String returns git's gpg.format value: "ssh" or "openpgp".
func (f SignFormat) String() string {
	switch f {
	case SignSSH:
		return "ssh"
	case SignOpenPGP:
		return "openpgp"
	default:
		return "unknown"
	}
}

// Signer says how git signs a commit or an annotated tag. Its zero value
// signs nothing.
type Signer struct {
	// Format is the signature format. The default is SignSSH.
	Format SignFormat
	// Key is the signing key: for SignSSH the path of a private key file
	// with mode 0600 (ssh-keygen refuses others), for SignOpenPGP a key ID,
	// fingerprint or user ID. Empty means unsigned.
	Key string
	// GNUPGHome is the gpg home directory for SignOpenPGP. The default is
	// gpg's own (GNUPGHOME or ~/.gnupg).
	GNUPGHome string
}

func (sg Signer) enabled() bool { return sg.Key != "" }

// gitArgs returns the configuration and environment git needs to sign.
func (sg Signer) gitArgs() (args, env []string, err error) {
	if !sg.enabled() {
		return nil, nil, nil
	}
	switch sg.Format {
	case SignSSH:
		key, err := filepath.Abs(sg.Key)
		if err != nil {
			return nil, nil, fmt.Errorf("signing key: %w", err)
		}
		return []string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + key}, nil, nil
	case SignOpenPGP:
		if sg.GNUPGHome != "" {
			env = append(env, "GNUPGHOME="+sg.GNUPGHome)
		}
		return []string{"-c", "gpg.format=openpgp", "-c", "user.signingkey=" + sg.Key}, env, nil
	default:
		return nil, nil, fmt.Errorf("%w: signature format %d", ErrInvalidOption, sg.Format)
	}
}

// RepoOptions configures CreateRepo. Its zero value makes an empty bare
// repository whose HEAD names DefaultBranch.
type RepoOptions struct {
	// Branch is the branch HEAD names and the first commit goes on.
	// The default is DefaultBranch.
	Branch string
	// FromDir, if set, puts the files of this directory in a first commit,
	// as `git add -A` would (honouring its .gitignore files).
	FromDir string
	// Files, if set, puts these files (slash-separated path to content) in
	// the first commit, over those of FromDir.
	Files map[string]string
	// Message is the message of the first commit. The default is
	// "initial commit".
	Message string
	// Signer signs the first commit. The default signs nothing.
	Signer Signer
}

// CommitOptions configures Commit. Its zero value makes an empty commit on
// DefaultBranch.
type CommitOptions struct {
	// Branch receives the commit, and is created if missing (the commit is
	// then a root commit). The default is DefaultBranch.
	Branch string
	// Files are written (slash-separated path to content), replacing files
	// of the parent commit.
	Files map[string]string
	// Delete removes these files or directories, recursively.
	// Missing paths are ignored. Deletions apply before Files.
	Delete []string
	// Message is the commit message. The default is "commit".
	Message string
	// Date is the author and committer date. The default is
	// 2024-01-01T00:00:00Z plus one minute per ancestor, so that the same
	// history gives the same hashes.
	Date time.Time
	// Signer signs the commit. The default signs nothing.
	Signer Signer
}

// BranchOptions configures CreateBranch.
type BranchOptions struct {
	// Name is the new branch, without "refs/heads/". Required.
	Name string
	// Target is the revision the branch points to. The default is "HEAD".
	Target string
}

// TagOptions configures CreateTag. With only Name set it makes a
// lightweight tag of HEAD.
type TagOptions struct {
	// Name is the new tag, without "refs/tags/". Required.
	Name string
	// Target is the revision tagged. The default is "HEAD".
	Target string
	// Message, if set, makes an annotated tag with this message.
	Message string
	// Date is the tagger date of an annotated tag. The default is
	// 2024-01-01T00:00:00Z.
	Date time.Time
	// Signer signs the tag, which needs a Message. The default signs
	// nothing.
	Signer Signer
}

// CreateRepo creates the bare repository name (a path relative to the root,
// such as "team/app.git") and, when opts gives files, its first commit. It
// returns the hash of that commit, or "" for an empty repository.
//
// It returns an error wrapping ErrOutsideRoot for a name or file path that
// escapes its root, fs.ErrExist when the repository already exists, ErrClosed
// after Close, or a *GitError when git fails.
func (s *Server) CreateRepo(ctx context.Context, name string, opts RepoOptions) (string, error) {
	hash, err := s.createRepo(ctx, name, opts)
	if err != nil {
		return "", fmt.Errorf("create repo %s: %w", name, err)
	}
	return hash, nil
}

func (s *Server) createRepo(ctx context.Context, name string, opts RepoOptions) (string, error) {
	_, dir, unlock, err := s.lockRepo(name)
	if err != nil {
		return "", err
	}
	defer unlock()
	if dirNotEmpty(dir) {
		return "", fs.ErrExist
	}
	branch := cmp.Or(opts.Branch, DefaultBranch)
	if _, err := s.run(ctx, runSpec{args: []string{"init", "--quiet", "--bare", "--initial-branch=" + branch, dir}}); err != nil {
		return "", err
	}
	if opts.FromDir == "" && opts.Files == nil {
		return "", nil
	}
	return s.commit(ctx, dir, CommitOptions{
		Branch:  branch,
		Files:   opts.Files,
		Message: cmp.Or(opts.Message, "initial commit"),
		Signer:  opts.Signer,
	}, opts.FromDir)
}

// Commit makes a commit on a branch of repo from its parent's tree with the
// changes of opts, and returns its hash. HEAD does not move.
//
// It returns an error wrapping ErrOutsideRoot for a repository or file path
// that escapes its root, ErrClosed after Close, or a *GitError when git
// fails (for example when the repository does not exist, or signing fails).
func (s *Server) Commit(ctx context.Context, repo string, opts CommitOptions) (string, error) {
	_, dir, unlock, err := s.lockRepo(repo)
	if err != nil {
		return "", fmt.Errorf("commit to %s: %w", repo, err)
	}
	defer unlock()
	hash, err := s.commit(ctx, dir, opts, "")
	if err != nil {
		return "", fmt.Errorf("commit to %s: %w", repo, err)
	}
	return hash, nil
}

// commit builds a tree in a temporary index and commits it with plumbing
// commands, so it works on bare repositories and any branch.
func (s *Server) commit(ctx context.Context, gitDir string, opts CommitOptions, fromDir string) (string, error) {
	branch := cmp.Or(opts.Branch, DefaultBranch)
	ref := "refs/heads/" + branch
	for _, p := range append(slices.Collect(maps.Keys(opts.Files)), opts.Delete...) {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return "", fmt.Errorf("file %q: %w", p, ErrOutsideRoot)
		}
	}
	signArgs, signEnv, err := opts.Signer.gitArgs()
	if err != nil {
		return "", err
	}
	scratch, err := os.MkdirTemp("", "gitserver-commit-")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.RemoveAll(scratch) }()
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(scratch, "index")}
	git := func(dir string, args ...string) (string, error) {
		return s.run(ctx, runSpec{args: append([]string{"--git-dir=" + gitDir}, args...), dir: dir, env: env})
	}

	parent, err := s.resolveOptional(ctx, gitDir, ref+"^{commit}")
	if err != nil {
		return "", err
	}
	ancestors := 0
	if parent != "" {
		if _, err := git("", "read-tree", parent); err != nil {
			return "", err
		}
		n, err := git("", "rev-list", "--count", parent)
		if err != nil {
			return "", err
		}
		if ancestors, err = strconv.Atoi(n); err != nil {
			return "", fmt.Errorf("count ancestors: %w", err)
		}
	}
	if fromDir != "" {
		abs, err := filepath.Abs(fromDir)
		if err != nil {
			return "", err
		}
		if _, err := git(abs, "--work-tree="+abs, "add", "-A", "--", "."); err != nil {
			return "", err
		}
	}
	if len(opts.Delete) > 0 {
		if _, err := git(scratch, append([]string{"--work-tree=" + scratch, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--"}, opts.Delete...)...); err != nil {
			return "", err
		}
	}
	if len(opts.Files) > 0 {
		work := filepath.Join(scratch, "work")
		paths := make([]string, 0, len(opts.Files))
		for p, content := range opts.Files {
			full := filepath.Join(work, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
				return "", err
			}
			if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
				return "", err
			}
			paths = append(paths, p)
		}
		slices.Sort(paths)
		if _, err := git(work, append([]string{"--work-tree=" + work, "add", "-f", "--"}, paths...)...); err != nil {
			return "", err
		}
	}
	tree, err := git("", "write-tree")
	if err != nil {
		return "", err
	}

	date := opts.Date
	if date.IsZero() {
		date = time.Unix(fixtureEpoch+60*int64(ancestors), 0).UTC()
	}
	args := append(slices.Clone(signArgs), "--git-dir="+gitDir, "commit-tree", tree, "-m", cmp.Or(opts.Message, "commit"))
	if parent != "" {
		args = append(args, "-p", parent)
	}
	if opts.Signer.enabled() {
		args = append(args, "-S")
	}
	hash, err := s.run(ctx, runSpec{args: args, env: append(identityEnv(date), signEnv...)})
	if err != nil {
		return "", err
	}
	old := parent
	if old == "" {
		old = strings.Repeat("0", len(hash)) // the branch must not exist yet
	}
	if _, err := git("", "update-ref", "-m", "gitserver commit", ref, hash, old); err != nil {
		return "", err
	}
	return hash, nil
}

// CreateBranch creates a branch of repo at a revision and returns the hash
// of the commit it points to.
//
// It returns an error wrapping ErrInvalidOption without a Name,
// ErrOutsideRoot for a repository path outside the root, ErrClosed after
// Close, or a *GitError when git fails (for example when the branch exists).
func (s *Server) CreateBranch(ctx context.Context, repo string, opts BranchOptions) (string, error) {
	hash, err := s.createBranch(ctx, repo, opts)
	if err != nil {
		return "", fmt.Errorf("create branch %s in %s: %w", opts.Name, repo, err)
	}
	return hash, nil
}

func (s *Server) createBranch(ctx context.Context, repo string, opts BranchOptions) (string, error) {
	if opts.Name == "" {
		return "", fmt.Errorf("%w: empty branch name", ErrInvalidOption)
	}
	_, dir, unlock, err := s.lockRepo(repo)
	if err != nil {
		return "", err
	}
	defer unlock()
	target := cmp.Or(opts.Target, "HEAD")
	if _, err := s.run(ctx, runSpec{args: []string{"--git-dir=" + dir, "branch", "--no-track", "--", opts.Name, target}}); err != nil {
		return "", err
	}
	return s.run(ctx, runSpec{args: []string{"--git-dir=" + dir, "rev-parse", "--verify", "--end-of-options", "refs/heads/" + opts.Name + "^{commit}"}})
}

// CreateTag creates a tag in repo and returns the hash of the tag object for
// an annotated tag (Message set), or of the tagged object for a lightweight
// one.
//
// It returns an error wrapping ErrInvalidOption without a Name or with a
// Signer but no Message, ErrOutsideRoot for a repository path outside the
// root, ErrClosed after Close, or a *GitError when git fails (for example
// when the tag exists).
func (s *Server) CreateTag(ctx context.Context, repo string, opts TagOptions) (string, error) {
	hash, err := s.createTag(ctx, repo, opts)
	if err != nil {
		return "", fmt.Errorf("create tag %s in %s: %w", opts.Name, repo, err)
	}
	return hash, nil
}

func (s *Server) createTag(ctx context.Context, repo string, opts TagOptions) (string, error) {
	if opts.Name == "" {
		return "", fmt.Errorf("%w: empty tag name", ErrInvalidOption)
	}
	if opts.Signer.enabled() && opts.Message == "" {
		return "", fmt.Errorf("%w: a signed tag needs a message", ErrInvalidOption)
	}
	signArgs, signEnv, err := opts.Signer.gitArgs()
	if err != nil {
		return "", err
	}
	_, dir, unlock, err := s.lockRepo(repo)
	if err != nil {
		return "", err
	}
	defer unlock()
	args := append(slices.Clone(signArgs), "--git-dir="+dir, "tag")
	if opts.Message != "" {
		args = append(args, "-a", "-m", opts.Message)
	}
	if opts.Signer.enabled() {
		args = append(args, "-s")
	}
	args = append(args, "--", opts.Name, cmp.Or(opts.Target, "HEAD"))
	date := opts.Date
	if date.IsZero() {
		date = time.Unix(fixtureEpoch, 0).UTC()
	}
	if _, err := s.run(ctx, runSpec{args: args, env: append(identityEnv(date), signEnv...)}); err != nil {
		return "", err
	}
	return s.run(ctx, runSpec{args: []string{"--git-dir=" + dir, "rev-parse", "--verify", "--end-of-options", "refs/tags/" + opts.Name}})
}

// Resolve returns the hash a revision of repo names, such as "main",
// "refs/tags/v1" or "HEAD~1", for checking what a client pushed.
//
// It returns an error wrapping ErrOutsideRoot for a repository path outside
// the root, ErrClosed after Close, or a *GitError when git fails (for
// example when the revision does not exist).
func (s *Server) Resolve(ctx context.Context, repo, rev string) (string, error) {
	_, dir, unlock, err := s.lockRepo(repo)
	if err != nil {
		return "", fmt.Errorf("resolve %s in %s: %w", rev, repo, err)
	}
	defer unlock()
	hash, err := s.run(ctx, runSpec{args: []string{"--git-dir=" + dir, "rev-parse", "--verify", "--end-of-options", rev}})
	if err != nil {
		return "", fmt.Errorf("resolve %s in %s: %w", rev, repo, err)
	}
	return hash, nil
}

// resolveOptional returns the hash of rev, or "" when it does not exist.
func (s *Server) resolveOptional(ctx context.Context, gitDir, rev string) (string, error) {
	hash, err := s.run(ctx, runSpec{args: []string{"--git-dir=" + gitDir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev}})
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && ge.Stderr == "" && ctx.Err() == nil {
			return "", nil
		}
		return "", err
	}
	return hash, nil
}

// lockRepo confines repo to the root and locks it against concurrent
// fixture helpers. It returns ErrClosed after Close.
func (s *Server) lockRepo(repo string) (string, string, func(), error) {
	rel, dir, err := s.localRepo(repo)
	if err != nil {
		return "", "", nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", "", nil, ErrClosed
	}
	mu := s.repoLocks[dir]
	if mu == nil {
		mu = &sync.Mutex{}
		s.repoLocks[dir] = mu
	}
	s.mu.Unlock()
	mu.Lock()
	return rel, dir, mu.Unlock, nil
}

// identityEnv sets the fixture identity and date for commits and tags.
func identityEnv(date time.Time) []string {
	d := date.Format(time.RFC3339)
	return []string{
		"GIT_AUTHOR_NAME=" + IdentityName, "GIT_AUTHOR_EMAIL=" + IdentityEmail, "GIT_AUTHOR_DATE=" + d,
		"GIT_COMMITTER_NAME=" + IdentityName, "GIT_COMMITTER_EMAIL=" + IdentityEmail, "GIT_COMMITTER_DATE=" + d,
	}
}
