package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/version"
)

// PullOptions configures Pull and Fetch. The zero value accepts the
// DefaultLayerMediaTypes and archive's default limits.
type PullOptions struct {
	// MediaTypes are the accepted layer media types, in order of
	// preference: the first layer of the first listed type is pulled.
	// Default nil: DefaultLayerMediaTypes() (Flux content, Helm chart,
	// OCI and Docker gzip layers).
	MediaTypes []string
	// MaxSize limits the total size of the extracted files, as
	// archive.ExtractOptions.MaxSize. Default 0: archive.DefaultMaxSize.
	MaxSize int64
	// MaxFiles limits the number of extracted entries, as
	// archive.ExtractOptions.MaxFiles. Default 0: archive.DefaultMaxFiles.
	MaxFiles int
	// Progress receives the download progress of the layer. Default nil.
	Progress ProgressFunc
}

// PullResult describes a pulled artifact.
type PullResult struct {
	// Ref is the reference pulled, in canonical form.
	Ref string
	// Digest is the digest of the image manifest the layer came from (for
	// an index, the chosen child manifest's).
	Digest digest.Digest
	// Revision is "<tag>@sha256:<hex>" of the reference's own manifest (the
	// index when the reference names one), or the digest alone for a pull
	// by digest: what Flux records as an OCI source's revision.
	Revision version.Revision
	// Layer is the layer pulled.
	Layer Descriptor
	// ConfigMediaType is the media type of the manifest's config, such as
	// FluxConfigMediaType or HelmConfigMediaType.
	ConfigMediaType string
	// Annotations are the manifest's annotations.
	Annotations map[string]string
	// Archive describes the extracted archive; zero for Fetch.
	Archive archive.Summary
}

// Pull downloads the artifact at ref (a tag or a digest; an "oci://"
// prefix is allowed) and extracts its layer into the directory dir with
// archive.Extract: dir must be missing or empty, and holds the content only
// if the whole layer was received, matched its digest and passed every
// safety check. For an image index, the first manifest with an accepted
// layer is used. Helm charts stored as OCI artifacts pull like any other.
//
// The manifest is checked against the reference's digest for a pull by
// digest, and the layer against the manifest's, while it is extracted.
//
// Pull returns errors wrapping ErrInvalidReference, ErrInsecureHTTP,
// ErrUnauthorized, ErrNotFound, ErrNoMatchingLayer,
// version.ErrDigestMismatch, the archive package's refusals (an
// *archive.ExtractError), ctx.Err(), and otherwise the registry's
// *transport.Error. A digest the registry sends malformed (in a manifest,
// an index or a header; missing counts as malformed) is refused with
// version.ParseDigest's *version.ParseError, wrapping
// version.ErrInvalidDigest, before it is used.
func (c *Client) Pull(ctx context.Context, ref, dir string, opts PullOptions) (PullResult, error) {
	res, err := c.pull(ctx, ref, opts, func(body io.Reader, layer Descriptor) (archive.Summary, error) {
		return archive.Extract(ctx, body, dir, archive.ExtractOptions{
			Digest:   layer.Digest,
			MaxSize:  opts.MaxSize,
			MaxFiles: opts.MaxFiles,
		})
	})
	if err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	return res, nil
}

// Fetch downloads the layer of the artifact at ref, chosen as Pull does,
// and copies it to w without extracting it: a Helm chart's .tgz, say. The
// bytes are checked against the layer digest as they stream, so on error w
// may hold a partial or unverified layer that the caller must discard.
// Fetch returns the errors of Pull but the archive ones.
func (c *Client) Fetch(ctx context.Context, ref string, w io.Writer, opts PullOptions) (PullResult, error) {
	res, err := c.pull(ctx, ref, opts, func(body io.Reader, layer Descriptor) (archive.Summary, error) {
		vr, err := version.NewVerifyingReader(body, layer.Digest)
		if err != nil {
			return archive.Summary{}, err
		}
		if _, err := io.Copy(w, vr); err != nil {
			return archive.Summary{}, err
		}
		return archive.Summary{}, nil
	})
	if err != nil {
		return PullResult{}, fmt.Errorf("fetch %s: %w", ref, err)
	}
	return res, nil
}

// pull resolves ref to a manifest and a layer and hands the layer's body
// to consume.
func (c *Client) pull(ctx context.Context, ref string, opts PullOptions,
	consume func(io.Reader, Descriptor) (archive.Summary, error)) (PullResult, error) {
	r, err := c.parseRef(ref)
	if err != nil {
		return PullResult{}, err
	}
	mediaTypes := opts.MediaTypes
	if len(mediaTypes) == 0 {
		mediaTypes = DefaultLayerMediaTypes()
	}
	ropts := c.remoteOptions(ctx)
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return PullResult{}, classify(err)
	}
	top, err := registryDigest("manifest digest", desc.Digest)
	if err != nil {
		return PullResult{}, err
	}
	res := PullResult{Ref: r.Name(), Revision: revisionOf(r, top)}

	manifest, md, err := c.chooseManifest(r, desc, top, mediaTypes, ropts)
	if err != nil {
		return PullResult{}, err
	}
	l, ok := chooseLayer(manifest, mediaTypes)
	if !ok {
		return PullResult{}, fmt.Errorf("%w: want one of %v, manifest %s has %v", ErrNoMatchingLayer, mediaTypes, md, layerTypes(manifest))
	}
	ld, err := registryDigest("layer digest", l.Digest)
	if err != nil {
		return PullResult{}, err
	}
	layer := Descriptor{MediaType: string(l.MediaType), Digest: ld, Size: l.Size}
	res.Digest = md
	res.Layer = layer
	res.ConfigMediaType = string(manifest.Config.MediaType)
	res.Annotations = manifest.Annotations

	body, err := c.openBlob(ctx, r.Context(), layer)
	if err != nil {
		return PullResult{}, err
	}
	defer func() { _ = body.Close() }()
	// The manifest bounds the download: no more than the layer's size is
	// read, whatever the server sends.
	in := newProgressReader(io.LimitReader(body, layer.Size), layer.Size, opts.Progress)
	sum, err := consume(in, layer)
	if err != nil {
		return PullResult{}, err
	}
	finish(opts.Progress, layer.Size)
	res.Archive = sum
	return res, nil
}

// chooseManifest returns the image manifest of desc, whose validated digest
// is top, or for an index the first child manifest with an accepted layer.
// Every digest the registry sent is validated with version.ParseDigest.
func (c *Client) chooseManifest(r name.Reference, desc *remote.Descriptor, top digest.Digest, mediaTypes []string, ropts []remote.Option) (*gcrv1.Manifest, digest.Digest, error) {
	if !desc.MediaType.IsIndex() {
		m, err := parseManifest(desc.Manifest, desc.MediaType)
		if err != nil {
			return nil, "", err
		}
		return m, top, nil
	}
	if err := checkManifestDigests(desc.Manifest, true); err != nil {
		return nil, "", fmt.Errorf("index %s: %w", top, err)
	}
	idx, err := gcrv1.ParseIndexManifest(bytesReader(desc.Manifest))
	if err != nil {
		return nil, "", fmt.Errorf("parse index %s: %w", top, err)
	}
	for _, child := range idx.Manifests {
		if !child.MediaType.IsImage() {
			continue
		}
		want, err := registryDigest("index entry digest", child.Digest)
		if err != nil {
			return nil, "", err
		}
		cd, err := remote.Get(r.Context().Digest(want.String()), ropts...)
		if err != nil {
			return nil, "", classify(err)
		}
		got, err := registryDigest("manifest digest", cd.Digest)
		if err != nil {
			return nil, "", err
		}
		m, err := parseManifest(cd.Manifest, cd.MediaType)
		if err != nil {
			return nil, "", err
		}
		if _, ok := chooseLayer(m, mediaTypes); ok {
			return m, got, nil
		}
	}
	return nil, "", fmt.Errorf("%w: want one of %v, no manifest of index %s has one", ErrNoMatchingLayer, mediaTypes, top)
}

// parseManifest parses an image manifest, its digests validated first by
// checkManifestDigests.
func parseManifest(data []byte, mt types.MediaType) (*gcrv1.Manifest, error) {
	if !mt.IsImage() {
		return nil, fmt.Errorf("%w: manifest media type %q is not an image manifest", ErrNoMatchingLayer, mt)
	}
	if err := checkManifestDigests(data, false); err != nil {
		return nil, err
	}
	var m gcrv1.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	return &m, nil
}

// chooseLayer picks the first layer of the most preferred media type.
func chooseLayer(m *gcrv1.Manifest, mediaTypes []string) (gcrv1.Descriptor, bool) {
	for _, mt := range mediaTypes {
		for _, l := range m.Layers {
			if string(l.MediaType) == mt {
				return l, true
			}
		}
	}
	return gcrv1.Descriptor{}, false
}

// layerTypes lists a manifest's layer media types for error messages.
func layerTypes(m *gcrv1.Manifest) []string {
	out := make([]string, 0, len(m.Layers))
	for _, l := range m.Layers {
		if !slices.Contains(out, string(l.MediaType)) {
			out = append(out, string(l.MediaType))
		}
	}
	return out
}

// openBlob starts the download of a blob. The caller verifies its digest
// while reading, so the bytes are hashed once.
func (c *Client) openBlob(ctx context.Context, repo name.Repository, layer Descriptor) (io.ReadCloser, error) {
	if _, err := version.ParseDigest(string(layer.Digest)); err != nil {
		return nil, fmt.Errorf("layer digest: %w", err)
	}
	if layer.Size < 0 {
		return nil, fmt.Errorf("layer %s: negative size %d", layer.Digest, layer.Size)
	}
	rt, err := c.authenticatedTransport(ctx, repo, transport.PullScope)
	if err != nil {
		return nil, classify(err)
	}
	u := url.URL{
		Scheme: repo.Scheme(),
		Host:   repo.RegistryStr(),
		Path:   fmt.Sprintf("/v2/%s/blobs/%s", repo.RepositoryStr(), layer.Digest),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, classify(err)
	}
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		_ = resp.Body.Close()
		return nil, classify(err)
	}
	return resp.Body, nil
}
