package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/version"
)

// emptyConfig is the config blob of Flux artifacts.
const emptyConfig = "{}"

// PushOptions configures Push and PushArchive. The zero value pushes a
// Flux artifact without annotations.
type PushOptions struct {
	// Source is the AnnotationSource annotation, such as the URL of the Git
	// repository the content comes from. Default "": not set.
	Source string
	// Revision is the AnnotationRevision annotation, such as
	// "main@sha1:<hex>" (see version.Revision). Default "": not set.
	Revision string
	// Created is the AnnotationCreated annotation, formatted in RFC 3339 in
	// UTC. Setting it makes the manifest digest depend on it; leave it zero
	// for a digest that depends on the content and annotations only.
	// Default zero: not set.
	Created time.Time
	// Annotations are more manifest annotations. Source, Revision and
	// Created override the same keys here. Default nil.
	Annotations map[string]string

	// IgnoreFile and Ignore select the files Push leaves out, as in
	// archive.BuildOptions. Not used by PushArchive. Default: none.
	IgnoreFile string
	Ignore     []string

	// LayerMediaType is the media type of the archive layer. Default "":
	// FluxContentMediaType. HelmChartContentMediaType pushes a Helm chart.
	LayerMediaType string
	// ConfigMediaType is the media type of the config blob. Default "":
	// FluxConfigMediaType.
	ConfigMediaType string
	// Config is the config blob. Default nil: "{}".
	Config []byte

	// Progress receives the upload progress of the layer. Default nil.
	Progress ProgressFunc
}

// Descriptor names a blob of an artifact.
type Descriptor struct {
	// MediaType is the blob's media type.
	MediaType string
	// Digest is the blob's content digest.
	Digest digest.Digest
	// Size is the blob's size in bytes.
	Size int64
}

// PushResult describes a pushed artifact.
type PushResult struct {
	// Ref is the reference pushed to, in canonical form
	// ("host/repo:tag").
	Ref string
	// Digest is the manifest digest.
	Digest digest.Digest
	// Revision is "<tag>@sha256:<hex>" in the RFC-0005 form, or the digest
	// alone for a push by digest.
	Revision version.Revision
	// Layer is the archive layer.
	Layer Descriptor
	// Archive describes the archive Push built; zero for PushArchive.
	Archive archive.Summary
}

// Push builds a reproducible archive of the directory dir (see
// archive.Build), pushes it as an artifact to ref ("host/repo:tag"; an
// "oci://" prefix is allowed) and returns its manifest digest. The same
// directory and options give the same digest, so pushing twice is a no-op
// for the registry.
//
// The artifact follows Flux's format: an OCI image manifest whose config
// has media type FluxConfigMediaType and content "{}", one layer of media
// type FluxContentMediaType, and the annotations of opts.
//
// Push returns errors wrapping ErrInvalidReference, ErrInvalidOption,
// ErrInsecureHTTP, ErrUnauthorized, the archive package's build errors,
// ctx.Err(), and otherwise the registry's *transport.Error.
func (c *Client) Push(ctx context.Context, ref, dir string, opts PushOptions) (PushResult, error) {
	res, err := c.pushDir(ctx, ref, dir, opts)
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", ref, err)
	}
	return res, nil
}

func (c *Client) pushDir(ctx context.Context, ref, dir string, opts PushOptions) (_ PushResult, err error) {
	r, err := c.parseRef(ref)
	if err != nil {
		return PushResult{}, err
	}
	f, err := os.CreateTemp("", "sluice-oci-push-*.tar.gz")
	if err != nil {
		return PushResult{}, err
	}
	defer func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}()
	sum, err := archive.Build(ctx, dir, f, archive.BuildOptions{IgnoreFile: opts.IgnoreFile, Ignore: opts.Ignore})
	if err != nil {
		return PushResult{}, err
	}
	if err := f.Close(); err != nil {
		return PushResult{}, err
	}
	res, err := c.push(ctx, r, f.Name(), sum.Digest, sum.Size, opts)
	if err != nil {
		return PushResult{}, err
	}
	res.Archive = sum
	return res, nil
}

// PushArchive pushes the gzip-compressed tar archive at path, built by
// archive.Build or another tool, as Push does. It returns the errors of
// Push, and one wrapping archive.ErrInvalidArchive when the file is not
// gzip-compressed.
func (c *Client) PushArchive(ctx context.Context, ref, path string, opts PushOptions) (PushResult, error) {
	res, err := c.pushFile(ctx, ref, path, opts)
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", ref, err)
	}
	return res, nil
}

func (c *Client) pushFile(ctx context.Context, ref, path string, opts PushOptions) (PushResult, error) {
	r, err := c.parseRef(ref)
	if err != nil {
		return PushResult{}, err
	}
	f, err := os.Open(path) // #nosec G304 -- the caller's archive
	if err != nil {
		return PushResult{}, err
	}
	defer func() { _ = f.Close() }()
	magic := make([]byte, 2)
	if _, err := io.ReadFull(f, magic); err != nil || magic[0] != 0x1f || magic[1] != 0x8b {
		return PushResult{}, fmt.Errorf("%w: %s is not gzip-compressed", archive.ErrInvalidArchive, path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return PushResult{}, err
	}
	dr, err := version.NewDigestingReader(f, digest.SHA256)
	if err != nil {
		return PushResult{}, err
	}
	if _, err := io.Copy(io.Discard, dr); err != nil {
		return PushResult{}, err
	}
	return c.push(ctx, r, path, dr.Digest(), dr.Size(), opts)
}

// push uploads the config, the layer at path and the manifest.
func (c *Client) push(ctx context.Context, r name.Reference, path string, d digest.Digest, size int64, opts PushOptions) (PushResult, error) {
	layerMT := cmpOr(opts.LayerMediaType, FluxContentMediaType)
	configMT := cmpOr(opts.ConfigMediaType, FluxConfigMediaType)
	config := opts.Config
	if config == nil {
		config = []byte(emptyConfig)
	}
	h, err := gcrv1.NewHash(d.String())
	if err != nil {
		return PushResult{}, err
	}
	layer := &fileLayer{path: path, hash: h, size: size, mediaType: types.MediaType(layerMT), progress: opts.Progress}
	configLayer := static.NewLayer(config, types.MediaType(configMT))

	manifest, err := json.Marshal(ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config: ocispec.Descriptor{
			MediaType: configMT,
			Digest:    digest.FromBytes(config),
			Size:      int64(len(config)),
		},
		Layers:      []ocispec.Descriptor{{MediaType: layerMT, Digest: d, Size: size}},
		Annotations: annotations(opts),
	})
	if err != nil {
		return PushResult{}, err
	}

	pusher, err := remote.NewPusher(c.remoteOptions(ctx)...)
	if err != nil {
		return PushResult{}, err
	}
	repo := r.Context()
	if err := pusher.Upload(ctx, repo, configLayer); err != nil {
		return PushResult{}, classify(err)
	}
	if err := pusher.Upload(ctx, repo, layer); err != nil {
		return PushResult{}, classify(err)
	}
	if err := pusher.Put(ctx, r, rawManifest{data: manifest, mediaType: types.OCIManifestSchema1}); err != nil {
		return PushResult{}, classify(err)
	}
	finish(opts.Progress, size)

	md := digest.FromBytes(manifest)
	return PushResult{
		Ref:      r.Name(),
		Digest:   md,
		Revision: revisionOf(r, md),
		Layer:    Descriptor{MediaType: layerMT, Digest: d, Size: size},
	}, nil
}

// annotations returns the manifest annotations of opts, nil if none.
func annotations(opts PushOptions) map[string]string {
	out := maps.Clone(opts.Annotations)
	set := func(k, v string) {
		if v == "" {
			return
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	set(AnnotationSource, opts.Source)
	set(AnnotationRevision, opts.Revision)
	if !opts.Created.IsZero() {
		set(AnnotationCreated, opts.Created.UTC().Format(time.RFC3339))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// revisionOf returns "<tag>@<digest>" for a tag reference and the digest
// alone otherwise.
func revisionOf(r name.Reference, d digest.Digest) version.Revision {
	rev := version.Revision{Algorithm: d.Algorithm(), Hex: d.Encoded()}
	if t, ok := r.(name.Tag); ok {
		rev.Pointer = t.TagStr()
	}
	return rev
}

// cmpOr returns s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// rawManifest is a manifest to put as it is.
type rawManifest struct {
	data      []byte
	mediaType types.MediaType
}

// RawManifest implements remote.Taggable.
func (m rawManifest) RawManifest() ([]byte, error) { return m.data, nil }

// MediaType tells remote.Put the Content-Type.
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mediaType, nil }

// fileLayer is a compressed layer stored in a file whose digest is known.
type fileLayer struct {
	path      string
	hash      gcrv1.Hash
	size      int64
	mediaType types.MediaType
	progress  ProgressFunc
}

// Digest implements gcrv1.Layer.
func (l *fileLayer) Digest() (gcrv1.Hash, error) { return l.hash, nil }

// DiffID implements gcrv1.Layer by hashing the decompressed content.
func (l *fileLayer) DiffID() (gcrv1.Hash, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return gcrv1.Hash{}, err
	}
	defer func() { _ = rc.Close() }()
	h, _, err := gcrv1.SHA256(rc)
	return h, err
}

// Compressed implements gcrv1.Layer; each call reports progress from 0.
func (l *fileLayer) Compressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	return readCloser{Reader: newProgressReader(f, l.size, l.progress), Closer: f}, nil
}

// Uncompressed implements gcrv1.Layer.
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return readCloser{Reader: gz, Closer: closerFunc(func() error {
		return errors.Join(gz.Close(), f.Close())
	})}, nil
}

// Size implements gcrv1.Layer.
func (l *fileLayer) Size() (int64, error) { return l.size, nil }

// MediaType implements gcrv1.Layer.
func (l *fileLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }

// readCloser joins a reader and a closer.
type readCloser struct {
	io.Reader
	io.Closer
}

// closerFunc adapts a function to io.Closer.
type closerFunc func() error

// Close implements io.Closer.
func (f closerFunc) Close() error { return f() }

// bytesReader reads b.
func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
