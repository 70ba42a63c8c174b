package gogit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sluice-dev/sluice/git"
)

// submodules checks out the submodules commit h of repo records, when the
// job asks for them and the depth allows, each into its path under the
// client's directory. It does not use go-git's submodule update, which
// would resolve local paths, drop the TLS and proxy options and send the
// parent's credentials to any host.
func (c *Client) submodules(ctx context.Context, r *remote, job *cloneJob, repo *gogit.Repository, h plumbing.Hash) error {
	depth := job.opts.SubmoduleDepth
	if depth <= 0 {
		depth = git.DefaultSubmoduleDepth
	}
	if !job.opts.RecurseSubmodules || job.level >= depth {
		return nil
	}
	fail := func(err error) error {
		return &git.OpError{Op: "clone submodules", URL: r.redacted, Err: err}
	}
	commit, err := repo.CommitObject(h)
	if err != nil {
		return fail(err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return fail(err)
	}
	f, err := tree.File(".gitmodules")
	if errors.Is(err, object.ErrFileNotFound) {
		return nil
	}
	if err != nil {
		return fail(err)
	}
	content, err := f.Contents()
	if err != nil {
		return fail(err)
	}
	mods := config.NewModules()
	if err := mods.Unmarshal([]byte(content)); err != nil {
		return fail(fmt.Errorf("parse .gitmodules: %w", err))
	}
	subs := make([]*config.Submodule, 0, len(mods.Submodules))
	for _, s := range mods.Submodules {
		subs = append(subs, s)
	}
	slices.SortFunc(subs, func(a, b *config.Submodule) int { return strings.Compare(a.Path, b.Path) })
	var initialized []*config.Submodule
	for _, s := range subs {
		if err := s.Validate(); err != nil {
			return fail(fmt.Errorf("submodule %q: %w", s.Name, err))
		}
		p := path.Clean(s.Path)
		if p == "." || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || slices.ContainsFunc(strings.Split(p, "/"), func(e string) bool { return strings.EqualFold(e, ".git") }) {
			return fail(fmt.Errorf("submodule %q: path %q leaves the repository", s.Name, s.Path))
		}
		if !inSparse(job.sparse, p) {
			continue
		}
		entry, err := tree.FindEntry(p)
		if err != nil || entry.Mode != filemode.Submodule {
			continue // git ignores .gitmodules entries without a gitlink.
		}
		subURL, err := submoduleURL(job.url, s.URL)
		if err != nil {
			return fmt.Errorf("clone submodule %s: %w", p, err)
		}
		child := &Client{dir: filepath.Join(c.dir, filepath.FromSlash(p)), auth: submoduleAuth(job.url, job.auth, subURL), opts: c.opts}
		opts := git.CloneOptions{
			Reference:         git.CheckoutReference{Commit: entry.Hash.String()},
			FullHistory:       job.opts.FullHistory,
			RecurseSubmodules: true,
			SubmoduleDepth:    depth,
		}
		if _, err := child.clone(ctx, subURL.String(), opts, job.level+1); err != nil {
			return fmt.Errorf("clone submodule %s: %w", p, err)
		}
		initialized = append(initialized, &config.Submodule{Name: s.Name, Path: p, URL: withoutPassword(subURL)})
	}
	if len(initialized) == 0 {
		return nil
	}
	// Record the submodules as `git submodule init` does, so that the git
	// command line sees them checked out.
	cfg, err := repo.Config()
	if err != nil {
		return fail(err)
	}
	for _, s := range initialized {
		cfg.Submodules[s.Name] = s
	}
	if err := repo.SetConfig(cfg); err != nil {
		return fail(err)
	}
	return nil
}

// withoutPassword renders u without any password.
func withoutPassword(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

// submoduleURL resolves a submodule URL against the URL of its parent, as
// git does: "./x" and "../x" are relative to the parent's path (taken as a
// directory), anything else is parsed on its own.
func submoduleURL(parent *url.URL, raw string) (*url.URL, error) {
	if !strings.HasPrefix(raw, "./") && !strings.HasPrefix(raw, "../") {
		return git.ParseURL(raw)
	}
	u := *parent
	u.Path = path.Join(parent.Path, raw)
	u.RawPath = ""
	if strings.Trim(u.Path, "/") == "" {
		return nil, &git.URLError{URL: raw, Err: git.ErrInvalidURL}
	}
	return &u, nil
}

// submoduleAuth returns the authentication options of a submodule: the
// parent's when it lives on the same scheme, host and port, otherwise only
// the parent's trust anchors (no secret) for HTTPS, and nothing for other
// schemes.
func submoduleAuth(parent *url.URL, auth *git.AuthOptions, sub *url.URL) *git.AuthOptions {
	if sub.Scheme == parent.Scheme && strings.EqualFold(sub.Host, parent.Host) {
		return auth
	}
	if auth != nil && sub.Scheme == git.SchemeHTTPS && len(auth.CAFile) > 0 {
		return &git.AuthOptions{Scheme: git.SchemeHTTPS, CAFile: auth.CAFile}
	}
	return nil
}
