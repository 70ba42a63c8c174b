package provider

import (
	"context"
	"errors"
	"strings"

	giteasdk "code.gitea.io/sdk/gitea"
	"github.com/fluxcd/go-git-providers/gitprovider"
)

// PullRequestOptions describes a pull request (merge request on GitLab)
// for [Client.OpenPullRequest].
type PullRequestOptions struct {
	// Title is the pull request's title. Required.
	Title string

	// Description is its body. Default "".
	Description string

	// Head is the branch holding the changes. Required.
	Head string

	// Base is the branch to merge into. Default: the repository's default
	// branch.
	Base string
}

// PullRequest is a pull request as the provider reports it after
// [Client.OpenPullRequest].
type PullRequest struct {
	// Number is the pull request's number (IID on GitLab).
	Number int
	// URL is its web page.
	URL string
	// Title is its title.
	Title string
	// Head is its source branch.
	Head string
	// Action is ActionCreated, or ActionUnchanged when an open pull request
	// from Head already existed and was returned instead.
	Action Action
}

// OpenPullRequest opens a pull request from opts.Head into opts.Base on
// the repository ref. When the provider answers that one is already open
// for the branch, the open pull request from Head is returned with
// [ActionUnchanged].
//
// It returns an [*Error] wrapping [ErrInvalidOptions] for a missing title
// or head branch, [ErrNotFound] when the repository or a branch does not
// exist, [ErrUnauthorized] when the provider refuses the token, and
// [ErrUnsupported] when the provider has no pull requests.
func (c *Client) OpenPullRequest(ctx context.Context, ref RepositoryRef, opts PullRequestOptions) (*PullRequest, error) {
	const op = "open pull request"
	if strings.TrimSpace(opts.Title) == "" || opts.Head == "" {
		return nil, c.invalid(op, ref, "a pull request needs a title and a head branch")
	}
	if err := validRef(ref); err != nil {
		return nil, c.fail(op, ref, err)
	}
	owner, err := c.owner(ctx, ref)
	if err != nil {
		return nil, c.fail(op, ref, err)
	}
	ref.Owner = owner
	repo, err := c.getRepository(ctx, ref)
	if err != nil {
		return nil, c.fail(op, ref, err)
	}
	base := opts.Base
	if base == "" {
		if b := repo.Get().DefaultBranch; b != nil {
			base = *b
		}
	}
	if base == "" {
		base = DefaultBranch
	}
	pr, err := repo.PullRequests().Create(ctx, opts.Title, opts.Head, base, opts.Description)
	if err == nil {
		return pullRequest(pr, opts.Head, ActionCreated), nil
	}
	if !errors.Is(classify(err), ErrConflict) {
		return nil, c.fail(op, ref, err)
	}
	// Already open: find it.
	open, listErr := repo.PullRequests().List(ctx)
	if listErr != nil {
		return nil, c.fail(op, ref, errors.Join(err, listErr))
	}
	for _, p := range open {
		if sourceBranch(p) == opts.Head && !p.Get().Merged {
			return pullRequest(p, opts.Head, ActionUnchanged), nil
		}
	}
	return nil, c.fail(op, ref, err)
}

func pullRequest(p gitprovider.PullRequest, head string, action Action) *PullRequest {
	info := p.Get()
	return &PullRequest{
		Number: info.Number,
		URL:    info.WebURL,
		Title:  info.Title,
		Head:   head,
		Action: action,
	}
}

// sourceBranch returns the head branch of p. go-git-providers v0.27.0
// leaves SourceBranch empty for Gitea; its API object has it.
func sourceBranch(p gitprovider.PullRequest) string {
	if b := p.Get().SourceBranch; b != "" {
		return b
	}
	if gp, ok := p.APIObject().(*giteasdk.PullRequest); ok && gp.Head != nil {
		return gp.Head.Ref
	}
	return ""
}
