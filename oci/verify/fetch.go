package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// maxSignatures bounds how many signatures of each format, and how many
	// referrer manifests, Verify examines.
	maxSignatures = 64
	// maxBlobSize bounds a signature payload or bundle blob.
	maxBlobSize = 4 << 20

	// signatureAnnotation holds a legacy signature, base64.
	signatureAnnotation = "dev.cosignproject.cosign/signature"
	// bundleMediaTypePrefix starts the media type of a layer holding a
	// sigstore bundle ("application/vnd.dev.sigstore.bundle.v0.3+json").
	bundleMediaTypePrefix = "application/vnd.dev.sigstore.bundle"
)

// errBlobTooLarge marks a signature blob over maxBlobSize.
var errBlobTooLarge = errors.New("blob exceeds the 4 MiB limit")

// legacySignature is one layer of a ".sig" image.
type legacySignature struct {
	manifest  string
	payload   []byte
	signature []byte
	// err is set, wrapping ErrInvalidBundle, when the layer is unusable.
	err error
}

// bundleSignature is one sigstore-bundle layer of a referrer.
type bundleSignature struct {
	manifest string
	data     []byte
	// err is set, wrapping ErrInvalidBundle, when the layer is unusable.
	err error
}

// isNotFound reports whether err is a registry 404.
func isNotFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}

// legacyTag is cosign's signature tag for h: "sha256-<hex>.sig".
func legacyTag(artifact name.Digest, h gcrv1.Hash) name.Tag {
	return artifact.Context().Tag(h.Algorithm + "-" + h.Hex + ".sig")
}

// fetchLegacy reads the layers of the artifact's ".sig" image that carry a
// signature annotation. A missing tag means no legacy signature.
func fetchLegacy(artifact name.Digest, h gcrv1.Hash, ropts []remote.Option) ([]legacySignature, error) {
	img, err := remote.Image(legacyTag(artifact, h), ropts...)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	var sigs []legacySignature
	for _, l := range m.Layers {
		b64, ok := l.Annotations[signatureAnnotation]
		if !ok {
			continue
		}
		if len(sigs) == maxSignatures {
			break
		}
		s := legacySignature{manifest: d.String()}
		s.signature, err = decodeSignature(b64)
		if err != nil {
			s.err = fmt.Errorf("%w: annotation %s: %w", ErrInvalidBundle, signatureAnnotation, err)
			sigs = append(sigs, s)
			continue
		}
		layer, err := img.LayerByDigest(l.Digest)
		if err != nil {
			return nil, err
		}
		s.payload, err = readBlob(layer, l.Size)
		if errors.Is(err, errBlobTooLarge) {
			s.err = fmt.Errorf("%w: payload %s: %w", ErrInvalidBundle, l.Digest, err)
		} else if err != nil {
			return nil, fmt.Errorf("payload %s: %w", l.Digest, err)
		}
		sigs = append(sigs, s)
	}
	return sigs, nil
}

// fetchBundles lists the artifact's referrers (the registry's referrers
// API, else the "sha256-<hex>" tag index) and reads every layer whose media
// type is a sigstore bundle. The referrer's artifactType is not trusted to
// select them: registries report it differently.
func fetchBundles(artifact name.Digest, ropts []remote.Option) ([]bundleSignature, error) {
	idx, err := remote.Referrers(artifact, ropts...)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	repo := artifact.Context()
	var out []bundleSignature
	examined := 0
	for _, desc := range im.Manifests {
		if desc.MediaType != types.OCIManifestSchema1 && desc.MediaType != types.DockerManifestSchema2 {
			continue
		}
		if examined == maxSignatures || len(out) == maxSignatures {
			break
		}
		examined++
		// Fetching by digest makes go-containerregistry check the content.
		got, err := remote.Get(repo.Digest(desc.Digest.String()), ropts...)
		if err != nil {
			return nil, fmt.Errorf("referrer %s: %w", desc.Digest, err)
		}
		m, err := gcrv1.ParseManifest(bytes.NewReader(got.Manifest))
		if err != nil {
			out = append(out, bundleSignature{
				manifest: desc.Digest.String(),
				err:      fmt.Errorf("%w: referrer manifest: %w", ErrInvalidBundle, err),
			})
			continue
		}
		for _, l := range m.Layers {
			if !strings.HasPrefix(string(l.MediaType), bundleMediaTypePrefix) || len(out) == maxSignatures {
				continue
			}
			s := bundleSignature{manifest: desc.Digest.String()}
			layer, err := remote.Layer(repo.Digest(l.Digest.String()), ropts...)
			if err != nil {
				return nil, fmt.Errorf("bundle %s: %w", l.Digest, err)
			}
			s.data, err = readBlob(layer, l.Size)
			if errors.Is(err, errBlobTooLarge) {
				s.err = fmt.Errorf("%w: bundle %s: %w", ErrInvalidBundle, l.Digest, err)
			} else if err != nil {
				return nil, fmt.Errorf("bundle %s: %w", l.Digest, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// readBlob reads a layer's stored bytes, refusing more than maxBlobSize.
// Reading to the end makes go-containerregistry check the blob's digest.
func readBlob(layer gcrv1.Layer, size int64) ([]byte, error) {
	if size > maxBlobSize {
		return nil, errBlobTooLarge
	}
	rc, err := layer.Compressed()
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	data, err := io.ReadAll(io.LimitReader(rc, maxBlobSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBlobSize {
		return nil, errBlobTooLarge
	}
	return data, nil
}
