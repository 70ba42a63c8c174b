package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
)

const (
	// inTotoPayloadType is the DSSE payload type of an in-toto statement.
	inTotoPayloadType = "application/vnd.in-toto+json"
	// inTotoStatementPrefix starts every in-toto statement's _type.
	inTotoStatementPrefix = "https://in-toto.io/Statement/"
	// cosignSignPredicate is the predicate type of the statement `cosign
	// sign` wraps in a bundle; attestations carry other predicates.
	cosignSignPredicate = "https://sigstore.dev/cosign/sign/v1"
)

// statement is the part of an in-toto statement Verify needs.
type statement struct {
	Type          string `json:"_type"`
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
}

// names reports whether a subject of the statement carries digest h.
func (s statement) names(h gcrv1.Hash) bool {
	for _, sub := range s.Subject {
		if strings.EqualFold(sub.Digest[h.Algorithm], h.Hex) {
			return true
		}
	}
	return false
}

// subjects lists the statement's digests for error messages.
func (s statement) subjects() string {
	var parts []string
	for _, sub := range s.Subject {
		for alg, hex := range sub.Digest {
			parts = append(parts, alg+":"+hex)
		}
	}
	if len(parts) == 0 {
		return "no subject"
	}
	return strings.Join(parts, ", ")
}

// parseBundle decodes a sigstore bundle (JSON, media type
// application/vnd.dev.sigstore.bundle*) and the in-toto statement inside
// its DSSE envelope. A bundle without a DSSE envelope (a bare message
// signature) is refused: an image signature binds the digest through the
// statement's subject.
func parseBundle(data []byte) (*sgbundle.Bundle, statement, error) {
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, statement{}, fmt.Errorf("decode bundle: %w", err)
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, statement{}, errors.New("bundle has no DSSE envelope")
	}
	if env.GetPayloadType() != inTotoPayloadType {
		return nil, statement{}, fmt.Errorf("DSSE payload type %q, want %q", env.GetPayloadType(), inTotoPayloadType)
	}
	st, err := parseStatement(env.GetPayload())
	if err != nil {
		return nil, statement{}, err
	}
	return &b, st, nil
}

// parseStatement decodes an in-toto statement.
func parseStatement(data []byte) (statement, error) {
	var st statement
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&st); err != nil {
		return statement{}, fmt.Errorf("decode in-toto statement: %w", err)
	}
	if dec.More() {
		return statement{}, errors.New("decode in-toto statement: trailing data")
	}
	if !strings.HasPrefix(st.Type, inTotoStatementPrefix) {
		return statement{}, fmt.Errorf("in-toto statement type %q, want %s*", st.Type, inTotoStatementPrefix)
	}
	if len(st.Subject) == 0 {
		return statement{}, errors.New("in-toto statement has no subject")
	}
	return st, nil
}

// checkBundle verifies one bundle. skip is true for a well-formed bundle
// that is not a signature (an attestation): it is neither a pass nor a
// failure.
func (v *Verifier) checkBundle(s bundleSignature, artifact string, h gcrv1.Hash) (res Result, failure *SignatureError, skip bool) {
	fail := func(err error) (Result, *SignatureError, bool) {
		return Result{Artifact: artifact}, &SignatureError{Format: FormatBundle, Manifest: s.manifest, Err: err}, false
	}
	if s.err != nil {
		return fail(s.err)
	}
	b, st, err := parseBundle(s.data)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrInvalidBundle, err))
	}
	if st.PredicateType != cosignSignPredicate {
		return Result{Artifact: artifact}, nil, true
	}
	res = Result{Status: StatusVerified, Artifact: artifact, Format: FormatBundle, Signature: s.manifest}
	if v.keyless == nil {
		var errs []error
		for _, kv := range v.keyVerifiers {
			// The digest is compared below, against the authenticated
			// statement, so that a signature copied from another artifact
			// is told apart from a wrong key.
			_, err := kv.verifier.Verify(b, sgverify.NewPolicy(sgverify.WithoutArtifactUnsafe(), sgverify.WithKey()))
			if err == nil {
				res.KeyFingerprint = kv.fingerprint
				break
			}
			errs = append(errs, err)
		}
		if res.KeyFingerprint == "" {
			return fail(fmt.Errorf("%w: none of %d keys verifies it: %w", ErrNoMatchingKey, len(v.keys), errors.Join(errs...)))
		}
	} else {
		vr, err := v.keyless.Verify(b, sgverify.NewPolicy(sgverify.WithoutArtifactUnsafe(), sgverify.WithoutIdentitiesUnsafe()))
		if err != nil {
			return fail(fmt.Errorf("%w: %w", ErrUntrusted, err))
		}
		if vr.Signature == nil || vr.Signature.Certificate == nil {
			return fail(fmt.Errorf("%w: signed with a key, not a certificate", ErrUntrusted))
		}
		cert := *vr.Signature.Certificate
		if _, err := v.identities.Verify(cert); err != nil {
			return fail(fmt.Errorf("%w: certificate of %q issued by %q: %w", ErrNoMatchingIdentity, cert.SubjectAlternativeName, cert.Issuer, err))
		}
		res.Subject, res.Issuer = cert.SubjectAlternativeName, cert.Issuer
	}
	// The envelope's signature is verified: its payload is authentic.
	if !st.names(h) {
		return fail(fmt.Errorf("%w: statement signs %s", ErrSubjectMismatch, st.subjects()))
	}
	return res, nil, false
}
