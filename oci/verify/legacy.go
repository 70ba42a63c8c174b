package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// decodeSignature decodes a legacy signature annotation (standard base64,
// surrounding white space tolerated).
func decodeSignature(b64 string) ([]byte, error) {
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("decode base64: %w", err)
	}
	if len(sig) == 0 {
		return nil, errors.New("empty signature")
	}
	return sig, nil
}

// parseSimpleSigning extracts the signed manifest digest from a cosign
// simple-signing payload:
//
//	{"critical":{"identity":{"docker-reference":"..."},
//	 "image":{"docker-manifest-digest":"sha256:..."},
//	 "type":"cosign container image signature"},"optional":{...}}
func parseSimpleSigning(data []byte) (gcrv1.Hash, error) {
	var p payload.SimpleContainerImage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return gcrv1.Hash{}, fmt.Errorf("decode simple-signing payload: %w", err)
	}
	if dec.More() {
		return gcrv1.Hash{}, errors.New("decode simple-signing payload: trailing data")
	}
	if p.Critical.Type != payload.CosignSignatureType {
		return gcrv1.Hash{}, fmt.Errorf("simple-signing payload type %q, want %q", p.Critical.Type, payload.CosignSignatureType)
	}
	h, err := gcrv1.NewHash(p.Critical.Image.DockerManifestDigest)
	if err != nil {
		return gcrv1.Hash{}, fmt.Errorf("simple-signing payload digest: %w", err)
	}
	return h, nil
}

// checkLegacy verifies one ".sig" layer: a trusted key must have signed the
// payload, and the payload must name the artifact's digest.
func (v *Verifier) checkLegacy(s legacySignature, artifact string, h gcrv1.Hash) (Result, *SignatureError) {
	fail := func(err error) (Result, *SignatureError) {
		return Result{Artifact: artifact}, &SignatureError{Format: FormatLegacy, Manifest: s.manifest, Err: err}
	}
	if s.err != nil {
		return fail(s.err)
	}
	matched := ""
	for _, k := range v.keys {
		for _, sv := range k.verifiers {
			if sv.VerifySignature(bytes.NewReader(s.signature), bytes.NewReader(s.payload)) == nil {
				matched = k.fingerprint
				break
			}
		}
		if matched != "" {
			break
		}
	}
	if matched == "" {
		return fail(fmt.Errorf("%w: none of %d keys verifies it", ErrNoMatchingKey, len(v.keys)))
	}
	// Only an authenticated payload is parsed.
	signed, err := parseSimpleSigning(s.payload)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrInvalidBundle, err))
	}
	if signed != h {
		return fail(fmt.Errorf("%w: payload signs %s", ErrSubjectMismatch, signed))
	}
	return Result{
		Status:         StatusVerified,
		Artifact:       artifact,
		Format:         FormatLegacy,
		Signature:      s.manifest,
		KeyFingerprint: matched,
	}, nil
}
