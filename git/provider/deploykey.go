package provider

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/go-git-providers/gitprovider"
	"github.com/fluxcd/go-git-providers/stash"
	"golang.org/x/crypto/ssh"
)

// DeployKeyOptions is the desired deploy key for [Client.EnsureDeployKey].
type DeployKeyOptions struct {
	// Title names the key on the provider; a key with the same title is
	// replaced when it differs. Required.
	Title string

	// PublicKey is the SSH public key in authorized_keys format
	// ("ssh-ed25519 AAAA... comment"). Required.
	PublicKey []byte

	// ReadWrite lets the key push. Default false: read-only.
	ReadWrite bool
}

// DeployKey is a deploy key as the provider reports it after
// [Client.EnsureDeployKey].
type DeployKey struct {
	// Title names the key.
	Title string
	// Action is ActionCreated, ActionRotated or ActionUnchanged.
	Action Action
	// ReadOnly says the key cannot push.
	ReadOnly bool
	// Fingerprint is the key's SHA256 fingerprint ("SHA256:...").
	Fingerprint string
}

// EnsureDeployKey adds the deploy key of opts to the repository ref, or
// rotates it: a key with the same title but another public key or access
// is deleted and the new one added (the provider APIs cannot edit a deploy
// key in place). A key that already matches is left alone.
//
// It returns an [*Error] wrapping [ErrInvalidOptions] for an empty title or
// a public key that does not parse, [ErrNotFound] when the repository does
// not exist, [ErrUnauthorized] when the provider refuses the token, and
// [ErrConflict] when the provider refuses the key, e.g. because the same
// public key is registered under another title.
func (c *Client) EnsureDeployKey(ctx context.Context, ref RepositoryRef, opts DeployKeyOptions) (*DeployKey, error) {
	const op = "ensure deploy key"
	if strings.TrimSpace(opts.Title) == "" {
		return nil, c.invalid(op, ref, "empty deploy key title")
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(opts.PublicKey)
	if err != nil {
		return nil, c.invalid(op, ref, "deploy key %q: public key: %v", opts.Title, err)
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
	want := gitprovider.DeployKeyInfo{
		Name:     opts.Title,
		Key:      bytes.TrimSpace(ssh.MarshalAuthorizedKey(pub)),
		ReadOnly: gitprovider.BoolVar(!opts.ReadWrite),
	}
	result := &DeployKey{Title: opts.Title, ReadOnly: !opts.ReadWrite, Fingerprint: ssh.FingerprintSHA256(pub)}

	keys := repo.DeployKeys()
	result.Action = ActionCreated
	existing, err := keys.Get(ctx, opts.Title)
	switch {
	case err == nil:
		if sameDeployKey(existing.Get(), want) {
			result.Action = ActionUnchanged
			return result, nil
		}
		if err := c.deleteDeployKey(ctx, ref, existing); err != nil {
			return nil, c.fail(op, ref, fmt.Errorf("delete the old key %q: %w", opts.Title, err))
		}
		result.Action = ActionRotated
	case isNotFound(err):
	default:
		return nil, c.fail(op, ref, err)
	}
	if _, err := keys.Create(ctx, want); err != nil {
		return nil, c.fail(op, ref, err)
	}
	return result, nil
}

// sameDeployKey compares the key material (not the comment) and access.
func sameDeployKey(actual, want gitprovider.DeployKeyInfo) bool {
	pub, _, _, _, err := ssh.ParseAuthorizedKey(actual.Key)
	if err != nil {
		return false
	}
	readOnly := actual.ReadOnly == nil || *actual.ReadOnly
	return bytes.Equal(bytes.TrimSpace(ssh.MarshalAuthorizedKey(pub)), want.Key) && readOnly == *want.ReadOnly
}

// deleteDeployKey deletes a deploy key. go-git-providers v0.27.0's
// Bitbucket Server client loses the key's id on delete (it rebuilds the
// key from its public fields), so that one is deleted by id through the
// raw client.
func (c *Client) deleteDeployKey(ctx context.Context, ref RepositoryRef, key gitprovider.DeployKey) error {
	sk, ok := key.APIObject().(*stash.DeployKey)
	if !ok {
		return key.Delete(ctx)
	}
	raw, ok := c.gp.Raw().(*stash.Client)
	if !ok {
		return fmt.Errorf("%w: unexpected Bitbucket Server client %T", ErrUnsupported, c.gp.Raw())
	}
	project := ref.Owner
	if ref.Personal {
		project = "~" + ref.Owner
	}
	return raw.DeployKeys.Delete(ctx, project, ref.Name, sk.Key.ID)
}
