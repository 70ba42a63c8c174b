package gogit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sluice-dev/sluice/git"
)

// Push pushes to the "origin" remote, over the same transports, with the
// same authentication, trust (CA bundle, client certificate, known_hosts),
// proxy and progress reporting as Clone. By default it pushes the current branch to the
// remote branch of the same name. A push that changes nothing (the remote
// is up to date) succeeds.
//
// Errors: git.ErrNotRepository; git.ErrInvalidOptions for an invalid
// refspec, a detached HEAD without refspecs or a repository without origin
// remote; a *git.URLError or *git.AuthError for a URL the client refuses;
// and a *git.OpError (Op "push") whose chain holds git.ErrNonFastForward,
// git.ErrPushRejected, git.ErrRepositoryNotFound,
// git.ErrAuthenticationFailed, git.ErrUnreachable, the context's error, or
// a *git.HostKeyError.
//
// An SSH server that refuses the push as a whole, writing why on stderr
// and exiting without advertising references (Gitea, GitHub or GitLab
// with a read-only deploy key), gives a *git.OpError whose message holds
// the server's words (sanitised, at most 512 bytes) and whose chain holds
// git.ErrAuthenticationFailed when they say the key lacks the right to
// write (as an HTTP 403 would), git.ErrRepositoryNotFound when they say
// the repository does not exist, and git.ErrPushRejected otherwise.
func (c *Client) Push(ctx context.Context, opts git.PushOptions) error {
	repo, err := c.open(ctx, "push")
	if err != nil {
		return err
	}
	invalid := func(reason string) error { return fmt.Errorf("push: %w: %s", git.ErrInvalidOptions, reason) }
	rem, err := repo.Remote(gogit.DefaultRemoteName)
	if errors.Is(err, gogit.ErrRemoteNotFound) || (err == nil && len(rem.Config().URLs) == 0) {
		return invalid("no origin remote")
	}
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	specs := make([]config.RefSpec, 0, len(opts.RefSpecs))
	for _, s := range opts.RefSpecs {
		spec := config.RefSpec(s)
		if err := spec.Validate(); err != nil || spec.IsWildcard() {
			return invalid(fmt.Sprintf("refspec %q", s))
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		head, err := repo.Reference(plumbing.HEAD, false)
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		if head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
			return invalid("HEAD is detached and no refspec given")
		}
		specs = append(specs, config.RefSpec(head.Target().String()+":"+head.Target().String()))
	}
	r, err := c.remoteOf(rem, "push")
	if err != nil {
		return err
	}
	err = repo.PushContext(ctx, &gogit.PushOptions{
		RemoteName:   gogit.DefaultRemoteName,
		RemoteURL:    r.url,
		RefSpecs:     specs,
		Auth:         r.auth,
		Force:        opts.Force,
		Options:      maps.Clone(opts.Options),
		CABundle:     r.caBundle,
		ClientCert:   r.clientCert,
		ClientKey:    r.clientKey,
		ProxyOptions: r.proxy,
		Progress:     r.progress,
	})
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate):
		return nil
	case ctx.Err() != nil, r.hostKeys.get() != nil:
		return r.fail(ctx, "push", err)
	case errors.Is(err, gogit.ErrNonFastForwardUpdate), strings.Contains(err.Error(), "non-fast-forward update"):
		return &git.OpError{Op: "push", URL: r.redacted, Kind: git.ErrNonFastForward, Err: err}
	case strings.Contains(err.Error(), "command error on"):
		return &git.OpError{Op: "push", URL: r.redacted, Kind: git.ErrPushRejected, Err: err}
	default:
		return r.fail(ctx, "push", err)
	}
}
