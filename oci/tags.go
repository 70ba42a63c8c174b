package oci

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

// signatureTag matches the tags cosign and the referrers tag schema write
// next to an artifact: "sha256-<hex>" with an optional ".sig", ".att",
// ".sbom" or other suffix.
var signatureTag = regexp.MustCompile(`^sha256-[0-9a-f]{64}(\..*)?$`)

// Resolved is a reference resolved to a digest.
type Resolved struct {
	// Ref is the reference resolved, in canonical form.
	Ref string
	// Tag is the tag resolved, "" for a reference by digest.
	Tag string
	// Digest is the manifest digest the reference points to.
	Digest digest.Digest
	// Revision is "<tag>@sha256:<hex>", or the digest alone.
	Revision version.Revision
}

// Resolve returns the digest ref points to, with one HEAD request.
// It returns errors wrapping ErrInvalidReference, ErrInsecureHTTP,
// ErrUnauthorized, ErrNotFound and ctx.Err(), and a *version.ParseError
// wrapping version.ErrInvalidDigest when the registry sends a malformed
// Docker-Content-Digest header.
func (c *Client) Resolve(ctx context.Context, ref string) (Resolved, error) {
	r, err := c.parseRef(ref)
	if err != nil {
		return Resolved{}, fmt.Errorf("resolve %s: %w", ref, err)
	}
	res, err := c.resolve(ctx, r)
	if err != nil {
		return Resolved{}, fmt.Errorf("resolve %s: %w", ref, err)
	}
	return res, nil
}

func (c *Client) resolve(ctx context.Context, r name.Reference) (Resolved, error) {
	desc, err := remote.Head(r, c.remoteOptions(ctx)...)
	if err != nil {
		return Resolved{}, classify(err)
	}
	d, err := registryDigest("manifest digest", desc.Digest)
	if err != nil {
		return Resolved{}, err
	}
	res := Resolved{Ref: r.Name(), Digest: d, Revision: revisionOf(r, d)}
	if t, ok := r.(name.Tag); ok {
		res.Tag = t.TagStr()
	}
	return res, nil
}

// Tag points the tag newTag of ref's repository at the manifest ref names
// (a tag or a digest), and returns its digest. It returns the errors of
// Resolve, and ErrInvalidReference for an invalid tag.
func (c *Client) Tag(ctx context.Context, ref, newTag string) (digest.Digest, error) {
	d, err := c.tag(ctx, ref, newTag)
	if err != nil {
		return "", fmt.Errorf("tag %s as %s: %w", ref, newTag, err)
	}
	return d, nil
}

func (c *Client) tag(ctx context.Context, ref, newTag string) (digest.Digest, error) {
	r, err := c.parseRef(ref)
	if err != nil {
		return "", err
	}
	t, err := name.NewTag(r.Context().Name()+":"+newTag, c.nameOptions()...)
	if err != nil || t.TagStr() != newTag {
		return "", fmt.Errorf("%w: tag %q", ErrInvalidReference, newTag)
	}
	ropts := c.remoteOptions(ctx)
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return "", classify(err)
	}
	d, err := registryDigest("manifest digest", desc.Digest)
	if err != nil {
		return "", err
	}
	if err := remote.Tag(t, desc, ropts...); err != nil {
		return "", classify(err)
	}
	return d, nil
}

// Copy copies the artifact (manifest or index, and every blob they refer
// to) at src to dst, which may be in another repository or registry, and
// returns its digest, the same at both ends. Blobs dst already has are not
// sent again. It returns the errors of Pull that concern the registries.
func (c *Client) Copy(ctx context.Context, src, dst string) (digest.Digest, error) {
	d, err := c.copy(ctx, src, dst)
	if err != nil {
		return "", fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return d, nil
}

func (c *Client) copy(ctx context.Context, src, dst string) (digest.Digest, error) {
	s, err := c.parseRef(src)
	if err != nil {
		return "", err
	}
	t, err := c.parseRef(dst)
	if err != nil {
		return "", err
	}
	ropts := c.remoteOptions(ctx)
	desc, err := remote.Get(s, ropts...)
	if err != nil {
		return "", classify(err)
	}
	d, err := registryDigest("manifest digest", desc.Digest)
	if err != nil {
		return "", err
	}
	if desc.MediaType.IsIndex() || desc.MediaType.IsImage() {
		if err := checkManifestDigests(desc.Manifest, desc.MediaType.IsIndex()); err != nil {
			return "", err
		}
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return "", classify(err)
		}
		if err := remote.WriteIndex(t, idx, ropts...); err != nil {
			return "", classify(err)
		}
	} else {
		img, err := desc.Image()
		if err != nil {
			return "", classify(err)
		}
		if err := remote.Write(t, img, ropts...); err != nil {
			return "", classify(err)
		}
	}
	return d, nil
}

// Delete deletes the manifest ref points to. A tag is first resolved to
// its digest, since registries delete manifests by digest: every tag
// pointing to that manifest goes with it. Blobs are left to the registry's
// garbage collection. It returns the errors of Resolve; registries that
// do not allow deletes answer with a *transport.Error (405 or
// UNSUPPORTED).
func (c *Client) Delete(ctx context.Context, ref string) error {
	if err := c.delete(ctx, ref); err != nil {
		return fmt.Errorf("delete %s: %w", ref, err)
	}
	return nil
}

func (c *Client) delete(ctx context.Context, ref string) error {
	r, err := c.parseRef(ref)
	if err != nil {
		return err
	}
	res, err := c.resolve(ctx, r)
	if err != nil {
		return err
	}
	target := r.Context().Digest(res.Digest.String())
	if err := remote.Delete(target, c.remoteOptions(ctx)...); err != nil {
		return classify(err)
	}
	return nil
}

// ListTagsOptions configures ListTags and ResolveSemver. The zero value
// lists every tag but the signature ones, in lexical order.
type ListTagsOptions struct {
	// Semver, when set, keeps only the tags that are versions (as
	// version.Parse reads them, "v" prefix allowed) within this range
	// (version.ParseConstraint syntax, such as ">=1.2.0 <2.0.0" or "^1.2"),
	// newest first. Default "": no version filter, lexical order.
	Semver string
	// Pattern, when set, keeps only the tags this Go regular expression
	// matches (anchor it with ^ and $ for a full match). Default "".
	Pattern string
	// IncludeSignatureTags keeps the tags cosign and the referrers tag
	// schema write ("sha256-<hex>", with ".sig", ".att", ".sbom" or no
	// suffix). Default false: hidden.
	IncludeSignatureTags bool
}

// ListTags lists the tags of the repository repo ("host/repo", an "oci://"
// prefix allowed), filtered by opts. It returns errors wrapping
// ErrInvalidReference, ErrInvalidOption (a bad Pattern),
// version.ErrInvalidConstraint (a bad Semver), ErrInsecureHTTP,
// ErrUnauthorized, ErrNotFound and ctx.Err().
func (c *Client) ListTags(ctx context.Context, repo string, opts ListTagsOptions) ([]string, error) {
	tags, err := c.listTags(ctx, repo, opts)
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", repo, err)
	}
	return tags, nil
}

func (c *Client) listTags(ctx context.Context, repo string, opts ListTagsOptions) ([]string, error) {
	r, err := c.parseRepo(repo)
	if err != nil {
		return nil, err
	}
	filter, err := newTagFilter(opts)
	if err != nil {
		return nil, err
	}
	all, err := remote.List(r, c.remoteOptions(ctx)...)
	if err != nil {
		return nil, classify(err)
	}
	return filter.apply(all), nil
}

// tagFilter is a compiled ListTagsOptions.
type tagFilter struct {
	constraint *version.Constraint
	pattern    *regexp.Regexp
	signatures bool
}

// newTagFilter compiles opts.
func newTagFilter(opts ListTagsOptions) (*tagFilter, error) {
	f := &tagFilter{signatures: opts.IncludeSignatureTags}
	if opts.Semver != "" {
		c, err := version.ParseConstraint(opts.Semver)
		if err != nil {
			return nil, err
		}
		f.constraint = &c
	}
	if opts.Pattern != "" {
		re, err := regexp.Compile(opts.Pattern)
		if err != nil {
			return nil, fmt.Errorf("%w: tag pattern %q: %w", ErrInvalidOption, opts.Pattern, err)
		}
		f.pattern = re
	}
	return f, nil
}

// apply filters and sorts tags.
func (f *tagFilter) apply(tags []string) []string {
	kept := make([]string, 0, len(tags))
	for _, t := range tags {
		if !f.signatures && (signatureTag.MatchString(t) || isSignatureSuffix(t)) {
			continue
		}
		if f.pattern != nil && !f.pattern.MatchString(t) {
			continue
		}
		kept = append(kept, t)
	}
	if f.constraint == nil {
		slices.Sort(kept)
		return kept
	}
	vs := version.SortTags(kept, version.TagOptions{Constraint: f.constraint, Descending: true})
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Original()
	}
	return out
}

// isSignatureSuffix reports the suffixes of cosign's tags.
func isSignatureSuffix(t string) bool {
	return strings.HasSuffix(t, ".sig") || strings.HasSuffix(t, ".att") || strings.HasSuffix(t, ".sbom")
}

// ResolveSemver picks the newest tag of repo within the semver range
// constraint (among the tags opts also keeps; opts.Semver is ignored) and
// returns it with its digest. It returns the errors of ListTags and of
// Resolve, and ErrNoMatchingTag when no tag matches.
func (c *Client) ResolveSemver(ctx context.Context, repo, constraint string, opts ListTagsOptions) (Resolved, error) {
	res, err := c.resolveSemver(ctx, repo, constraint, opts)
	if err != nil {
		return Resolved{}, fmt.Errorf("resolve %s in %s: %w", constraint, repo, err)
	}
	return res, nil
}

func (c *Client) resolveSemver(ctx context.Context, repo, constraint string, opts ListTagsOptions) (Resolved, error) {
	opts.Semver = constraint
	if constraint == "" {
		return Resolved{}, fmt.Errorf("%w: empty semver range", ErrInvalidOption)
	}
	tags, err := c.listTags(ctx, repo, opts)
	if err != nil {
		return Resolved{}, err
	}
	if len(tags) == 0 {
		return Resolved{}, ErrNoMatchingTag
	}
	r, err := c.parseRepo(repo)
	if err != nil {
		return Resolved{}, err
	}
	return c.resolve(ctx, r.Tag(tags[0]))
}

// nameOptions returns the options to parse names with.
func (c *Client) nameOptions() []name.Option {
	if c.insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}
