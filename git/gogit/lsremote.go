package gogit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sluice-dev/sluice/git"
)

// LsRemote lists the references of the repository at rawURL, as
// `git ls-remote` does, with one request for the reference advertisement:
// branches, tags (an annotated tag with its Peeled commit), other
// references such as refs/pull/1/head, and HEAD with the branch it points to
// (Target) when the server advertises it. opts.Prefixes narrows the list.
// The references are sorted by name. LsRemote does not touch the client's
// directory.
//
// Errors: a *git.URLError (git.ErrInvalidURL, git.ErrUnsupportedScheme), a
// *git.AuthError (git.ErrInvalidAuth, git.ErrInsecureHTTP), and for
// failures against the server a *git.OpError with Op "ls-remote" whose chain
// holds git.ErrRepositoryNotFound, git.ErrAuthenticationFailed,
// git.ErrUnreachable, git.ErrReferenceNotFound (an empty repository), the
// context's error, or a *git.HostKeyError.
func (c *Client) LsRemote(ctx context.Context, rawURL string, opts git.LsRemoteOptions) ([]git.RemoteRef, error) {
	u, auth, err := c.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("ls-remote: %w", err)
	}
	r, err := c.remote("ls-remote", u, auth)
	if err != nil {
		return nil, err
	}
	refs, err := r.list(ctx)
	if err != nil {
		return nil, r.fail(ctx, "ls-remote", err)
	}
	out, err := remoteRefs(refs)
	if err != nil {
		return nil, &git.OpError{Op: "ls-remote", URL: r.redacted, Err: err}
	}
	if len(opts.Prefixes) > 0 {
		out = slices.DeleteFunc(out, func(x git.RemoteRef) bool {
			return !slices.ContainsFunc(opts.Prefixes, func(p string) bool { return strings.HasPrefix(x.Name, p) })
		})
	}
	return out, nil
}

// remoteRefs turns go-git's listing (with peeled tags appended as
// "<name>^{}") into sorted RemoteRefs.
func remoteRefs(refs []*plumbing.Reference) ([]git.RemoteRef, error) {
	byName := make(map[string]*git.RemoteRef, len(refs))
	get := func(name string) *git.RemoteRef {
		x, ok := byName[name]
		if !ok {
			x = &git.RemoteRef{Name: name}
			byName[name] = x
		}
		return x
	}
	for _, ref := range refs {
		name := ref.Name().String()
		if ref.Type() == plumbing.SymbolicReference {
			get(name).Target = ref.Target().String()
			continue
		}
		h, err := git.ParseHash(ref.Hash().String())
		if err != nil {
			return nil, err
		}
		if base, ok := strings.CutSuffix(name, "^{}"); ok {
			get(base).Peeled = h
			continue
		}
		get(name).Hash = h
	}
	out := make([]git.RemoteRef, 0, len(byName))
	for _, x := range byName {
		if x.Target != "" && x.Hash.IsZero() {
			if t, ok := byName[x.Target]; ok {
				x.Hash = t.Hash
			}
		}
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b git.RemoteRef) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
