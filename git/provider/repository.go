package provider

import (
	"context"
	"fmt"

	giteasdk "code.gitea.io/sdk/gitea"
	"github.com/fluxcd/go-git-providers/gitprovider"
	"github.com/fluxcd/go-git-providers/stash"
	gogithub "github.com/google/go-github/v82/github"
	gogitlab "gitlab.com/gitlab-org/api/client-go"
)

// DefaultBranch is the default branch [Client.EnsureRepository] sets when
// RepositoryOptions.DefaultBranch is empty.
const DefaultBranch = "main"

// RepositoryRef names a repository on a provider.
type RepositoryRef struct {
	// Owner is the organization, the GitLab group path ("group/subgroup"),
	// the Bitbucket Server project key, or, with Personal, the user.
	// Required unless Personal is set; a personal repository without an
	// owner belongs to the token's user.
	Owner string

	// Name is the repository's name (its slug on Bitbucket Server).
	// Required.
	Name string

	// Personal says Owner is a user account rather than an organization.
	// Only the token's own user can get new repositories. Default false.
	Personal bool
}

// String returns "owner/name".
func (r RepositoryRef) String() string { return r.Owner + "/" + r.Name }

// Visibility is who can see a repository.
type Visibility string

// The visibilities a repository can have.
const (
	// VisibilityPrivate is visible to members only. The default.
	VisibilityPrivate Visibility = "private"
	// VisibilityInternal is visible to every signed-in user of the
	// provider (GitHub Enterprise, GitLab).
	VisibilityInternal Visibility = "internal"
	// VisibilityPublic is visible to everyone.
	VisibilityPublic Visibility = "public"
)

// String returns the visibility's name.
func (v Visibility) String() string { return string(v) }

// Action says what a verb changed on the provider.
type Action string

// The actions a verb reports.
const (
	// ActionCreated means the object did not exist and was created.
	ActionCreated Action = "created"
	// ActionUpdated means the object existed and was changed to match.
	ActionUpdated Action = "updated"
	// ActionRotated means a deploy key with the same title but another key
	// or access was deleted and the new one added.
	ActionRotated Action = "rotated"
	// ActionUnchanged means the object already matched.
	ActionUnchanged Action = "unchanged"
)

// String returns the action's name.
func (a Action) String() string { return string(a) }

// RepositoryOptions is the desired state of a repository for
// [Client.EnsureRepository]. The zero value asks for a private repository
// without description whose default branch is "main".
type RepositoryOptions struct {
	// Visibility is who can see the repository. Default
	// [VisibilityPrivate].
	Visibility Visibility

	// Description is the repository's description. Default "" (an existing
	// description is cleared).
	Description string

	// DefaultBranch is the repository's default branch. Default
	// [DefaultBranch].
	DefaultBranch string

	// AutoInit creates a new repository with an initial commit (a README)
	// on DefaultBranch, so pull requests have a base. It does not touch an
	// existing repository. Default false: an empty repository.
	AutoInit bool
}

// Repository is a repository as the provider reports it after
// [Client.EnsureRepository].
type Repository struct {
	// Ref names the repository; Owner is filled in for a personal
	// repository given without one.
	Ref RepositoryRef
	// Action says whether the repository was created, updated or left
	// unchanged.
	Action Action
	// Visibility, Description and DefaultBranch are the repository's
	// settings.
	Visibility    Visibility
	Description   string
	DefaultBranch string
	// HTTPURL and SSHURL are the clone URLs the provider reports ("" when
	// it reports none).
	HTTPURL string
	SSHURL  string
}

// EnsureRepository creates the repository ref with the settings of opts,
// or, when it exists, updates its visibility, description and default
// branch to match.
//
// It returns an [*Error] wrapping [ErrInvalidOptions] for a malformed ref
// or options (or a personal repository of a user other than the token's),
// [ErrNotFound] when the organization or group does not exist,
// [ErrUnauthorized] when the provider refuses the token, and
// [ErrUnsupported] for what the provider cannot do (e.g. sub-groups on
// GitHub).
func (c *Client) EnsureRepository(ctx context.Context, ref RepositoryRef, opts RepositoryOptions) (*Repository, error) {
	const op = "ensure repository"
	info, err := repositoryInfo(opts)
	if err != nil {
		return nil, c.fail(op, ref, err)
	}
	if err := validRef(ref); err != nil {
		return nil, c.fail(op, ref, err)
	}
	owner, err := c.owner(ctx, ref)
	if err != nil {
		return nil, c.fail(op, ref, err)
	}
	ref.Owner = owner

	var create []gitprovider.RepositoryCreateOption
	if opts.AutoInit {
		create = append(create, &gitprovider.RepositoryCreateOptions{AutoInit: gitprovider.BoolVar(true)})
	}
	action := ActionCreated
	var repo gitprovider.UserRepository
	existing, err := c.getRepository(ctx, ref)
	switch {
	case err == nil:
		repo = existing
		action = ActionUnchanged
		if !info.Equals(existing.Get()) {
			if err := existing.Set(info); err != nil {
				return nil, c.fail(op, ref, err)
			}
			if err := existing.Update(ctx); err != nil {
				return nil, c.fail(op, ref, err)
			}
			action = ActionUpdated
		}
	case isNotFound(err):
		if ref.Personal {
			repo, err = c.gp.UserRepositories().Create(ctx, c.userRef(ref), info, create...)
		} else {
			repo, err = c.gp.OrgRepositories().Create(ctx, c.orgRef(ref), info, create...)
		}
		if err != nil {
			return nil, c.fail(op, ref, err)
		}
	default:
		return nil, c.fail(op, ref, err)
	}
	return c.repository(ref, action, repo), nil
}

// repositoryInfo turns options into go-git-providers' desired state.
func repositoryInfo(opts RepositoryOptions) (gitprovider.RepositoryInfo, error) {
	visibility := gitprovider.RepositoryVisibilityPrivate
	switch opts.Visibility {
	case "", VisibilityPrivate:
	case VisibilityInternal:
		visibility = gitprovider.RepositoryVisibilityInternal
	case VisibilityPublic:
		visibility = gitprovider.RepositoryVisibilityPublic
	default:
		return gitprovider.RepositoryInfo{}, fmt.Errorf("%w: visibility %q", ErrInvalidOptions, opts.Visibility)
	}
	branch := opts.DefaultBranch
	if branch == "" {
		branch = DefaultBranch
	}
	return gitprovider.RepositoryInfo{
		Description:   gitprovider.StringVar(opts.Description),
		DefaultBranch: gitprovider.StringVar(branch),
		Visibility:    &visibility,
	}, nil
}

// repository reads a provider's repository into our plain type.
func (c *Client) repository(ref RepositoryRef, action Action, repo gitprovider.UserRepository) *Repository {
	info := repo.Get()
	r := &Repository{Ref: ref, Action: action}
	if info.Description != nil {
		r.Description = *info.Description
	}
	if info.DefaultBranch != nil {
		r.DefaultBranch = *info.DefaultBranch
	}
	if info.Visibility != nil {
		r.Visibility = Visibility(*info.Visibility)
	}
	switch o := repo.APIObject().(type) {
	case *gogithub.Repository:
		r.HTTPURL, r.SSHURL = o.GetCloneURL(), o.GetSSHURL()
	case *gogitlab.Project:
		r.HTTPURL, r.SSHURL = o.HTTPURLToRepo, o.SSHURLToRepo
	case *giteasdk.Repository:
		r.HTTPURL, r.SSHURL = o.CloneURL, o.SSHURL
	case *stash.Repository:
		for _, l := range o.Clone {
			switch l.Name {
			case "http":
				r.HTTPURL = l.Href
			case "ssh":
				r.SSHURL = l.Href
			}
		}
	}
	return r
}
