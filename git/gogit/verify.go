package gogit

import (
	"context"
	"errors"
	"fmt"
	"io"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sluice-dev/sluice/git"
	gitsignature "github.com/sluice-dev/sluice/git/signature"
)

// VerifyCommit verifies the signature of a commit of the client's
// repository against the keys of v and returns the key that made it. rev is
// a commit hash, a branch, tag or other reference name, or empty for HEAD;
// a tag names the commit it points to.
//
// Errors: git.ErrNotRepository, an error wrapping git.ErrReferenceNotFound
// when rev names no commit of the repository, and the *git.VerificationError
// of signature.Verifier.VerifyCommit (git.ErrNoSignature,
// git.ErrNoMatchingKey, git.ErrMalformedSignature, git.ErrInvalidSignature).
func (c *Client) VerifyCommit(ctx context.Context, rev string, v *gitsignature.Verifier) (*git.VerifiedSignature, error) {
	repo, err := c.open(ctx, "verify commit")
	if err != nil {
		return nil, err
	}
	if rev == "" {
		rev = plumbing.HEAD.String()
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("verify commit %s: %w", rev, errors.Join(git.ErrReferenceNotFound, err))
	}
	raw, err := rawObject(repo, plumbing.CommitObject, *h)
	if err != nil {
		return nil, fmt.Errorf("verify commit %s: %w", rev, err)
	}
	return v.VerifyCommit(raw)
}

// VerifyTag verifies the signature of the annotated tag name (without
// "refs/tags/") of the client's repository against the keys of v and
// returns the key that made it. A clone by Tag fetches the tag object.
//
// Errors: git.ErrNotRepository, an error wrapping git.ErrReferenceNotFound
// when the repository has no such tag, and the *git.VerificationError of
// signature.Verifier.VerifyTag; a lightweight tag has no signature
// (git.ErrNoSignature).
func (c *Client) VerifyTag(ctx context.Context, name string, v *gitsignature.Verifier) (*git.VerifiedSignature, error) {
	repo, err := c.open(ctx, "verify tag")
	if err != nil {
		return nil, err
	}
	ref, err := repo.Reference(plumbing.NewTagReferenceName(name), true)
	if err != nil {
		return nil, fmt.Errorf("verify tag %s: %w", name, errors.Join(git.ErrReferenceNotFound, err))
	}
	raw, err := rawObject(repo, plumbing.TagObject, ref.Hash())
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		hash, _ := git.ParseHash(ref.Hash().String())
		return nil, &git.VerificationError{Object: "tag", Hash: hash, Err: fmt.Errorf("%w: lightweight tag %s", git.ErrNoSignature, name)}
	}
	if err != nil {
		return nil, fmt.Errorf("verify tag %s: %w", name, err)
	}
	return v.VerifyTag(raw)
}

// rawObject reads the content of an object of type t.
func rawObject(repo *gogit.Repository, t plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	obj, err := repo.Storer.EncodedObject(t, h)
	if err != nil {
		return nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return io.ReadAll(r)
}
