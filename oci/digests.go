package oci

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

// registryDigest validates a digest that came from a registry (a header, or
// a field of a manifest or index) with version.ParseDigest instead of
// trusting it, so a hostile or broken registry gets a *version.ParseError
// wrapping version.ErrInvalidDigest, never a digest the rest of the Client
// cannot use. what names the digest in the error.
func registryDigest(what string, h gcrv1.Hash) (digest.Digest, error) {
	s := h.String()
	if h == (gcrv1.Hash{}) {
		s = "" // go-containerregistry's zero Hash prints ":"
	}
	d, err := version.ParseDigest(s)
	if err != nil {
		return "", fmt.Errorf("%s from registry: %w", what, err)
	}
	return d, nil
}

// digestField is a descriptor's digest as text, read before
// go-containerregistry's types, whose own parser rejects malformed digests
// with an untyped error.
type digestField struct {
	Digest string `json:"digest"`
}

// manifestDigests holds the digests of an image manifest or index.
type manifestDigests struct {
	Config    *digestField  `json:"config"`
	Layers    []digestField `json:"layers"`
	Manifests []digestField `json:"manifests"`
	Subject   *digestField  `json:"subject"`
}

// checkManifestDigests validates every digest of a manifest (config,
// layers, subject) or, when index is set, of an index (manifests, subject)
// with version.ParseDigest. A manifest without a config, or a descriptor
// without a digest, is malformed too. It returns the errors of
// version.ParseDigest, naming the field, and the JSON error of a document
// that does not parse.
func checkManifestDigests(data []byte, index bool) error {
	var m manifestDigests
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("parse manifest: %w", err)
	}
	check := func(field string, f digestField) error {
		if _, err := version.ParseDigest(f.Digest); err != nil {
			return fmt.Errorf("%s digest from registry: %w", field, err)
		}
		return nil
	}
	if index {
		for i, f := range m.Manifests {
			if err := check(fmt.Sprintf("index manifests[%d]", i), f); err != nil {
				return err
			}
		}
	} else {
		if m.Config == nil {
			m.Config = &digestField{}
		}
		if err := check("manifest config", *m.Config); err != nil {
			return err
		}
		for i, f := range m.Layers {
			if err := check(fmt.Sprintf("manifest layers[%d]", i), f); err != nil {
				return err
			}
		}
	}
	if m.Subject != nil {
		return check("subject", *m.Subject)
	}
	return nil
}

// checkDigestHeader validates the Docker-Content-Digest header of a
// successful HEAD on a manifest, the only source of the digest Resolve
// returns. go-containerregistry would reject a malformed one with an
// untyped error; this returns version.ParseDigest's *version.ParseError.
func checkDigestHeader(req *http.Request, resp *http.Response) error {
	if req.Method != http.MethodHead || resp.StatusCode != http.StatusOK || !strings.Contains(req.URL.Path, "/manifests/") {
		return nil
	}
	h := resp.Header.Get("Docker-Content-Digest")
	if h == "" {
		return nil // go-containerregistry reports the missing header
	}
	if _, err := version.ParseDigest(h); err != nil {
		return fmt.Errorf("HEAD %s: Docker-Content-Digest header from registry: %w", req.URL.Path, err)
	}
	return nil
}
