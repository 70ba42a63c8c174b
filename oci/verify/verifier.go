package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
)

// Verifier checks cosign signatures of OCI artifacts, by digest, either
// with public keys or keylessly against a trusted root. Build it with
// [New]. A Verifier holds no mutable state: it is safe for concurrent use
// and meant to be reused.
type Verifier struct {
	// keys holds the trusted public keys in key-based mode.
	keys []publicKey
	// keyVerifiers holds one sigstore-go verifier per key and hash variant
	// in key-based mode, for bundles.
	keyVerifiers []keyVerifier
	// keyless is the sigstore-go verifier over the trusted root in keyless
	// mode; nil in key-based mode.
	keyless *sgverify.Verifier
	// identities are the trusted signers in keyless mode.
	identities sgverify.CertificateIdentities
	// remote are the caller's go-containerregistry options.
	remote []remote.Option
	// ignoreUnsigned reports unsigned artifacts as StatusIgnored.
	ignoreUnsigned bool
}

// keyVerifier verifies bundles signed by one trusted key.
type keyVerifier struct {
	fingerprint string
	verifier    *sgverify.Verifier
}

// New returns a Verifier. Exactly one mode must be chosen: key-based with
// [WithPublicKeys], or keyless with [WithTrustedRoot] and at least one
// [WithIdentities]. New does no I/O.
//
// New returns an error wrapping [ErrInvalidOption] when no mode or both
// modes are chosen, when a public key, the trusted root or an identity's
// regular expression does not parse, when an identity lacks a subject or an
// issuer criterion, or when identities are given in key-based mode.
func New(opts ...Option) (*Verifier, error) {
	var o options
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		opt(&o)
	}
	v := &Verifier{remote: slices.Clone(o.remote), ignoreUnsigned: o.ignoreUnsigned}
	switch {
	case len(o.publicKeys) > 0 && o.trustedRoot != nil:
		return nil, fmt.Errorf("%w: WithPublicKeys and WithTrustedRoot are exclusive", ErrInvalidOption)
	case len(o.publicKeys) > 0:
		if len(o.identities) > 0 {
			return nil, fmt.Errorf("%w: WithIdentities needs WithTrustedRoot (keyless mode), not WithPublicKeys", ErrInvalidOption)
		}
		if err := v.initKeys(o.publicKeys); err != nil {
			return nil, err
		}
	case o.trustedRoot != nil:
		if err := v.initKeyless(o.trustedRoot, o.identities); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: need WithPublicKeys or WithTrustedRoot", ErrInvalidOption)
	}
	return v, nil
}

func (v *Verifier) initKeys(pemKeys [][]byte) error {
	keys, err := parsePublicKeys(pemKeys)
	if err != nil {
		return fmt.Errorf("%w: WithPublicKeys: %w", ErrInvalidOption, err)
	}
	v.keys = keys
	for _, k := range keys {
		for _, sv := range k.verifiers {
			// The key never expires: cosign keys carry no validity period.
			expiring := root.NewExpiringKey(sv, time.Time{}, time.Time{})
			material := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
				return expiring, nil
			})
			// A key-signed offline bundle has no transparency-log entry and
			// no timestamp; demanding them would reject cosign's output.
			bv, err := sgverify.NewVerifier(material, sgverify.WithNoObserverTimestamps())
			if err != nil {
				return fmt.Errorf("%w: WithPublicKeys: %w", ErrInvalidOption, err)
			}
			v.keyVerifiers = append(v.keyVerifiers, keyVerifier{fingerprint: k.fingerprint, verifier: bv})
		}
	}
	return nil
}

func (v *Verifier) initKeyless(trustedRoot []byte, identities []Identity) error {
	tr, err := root.NewTrustedRootFromJSON(trustedRoot)
	if err != nil {
		return fmt.Errorf("%w: WithTrustedRoot: %w", ErrInvalidOption, err)
	}
	if len(identities) == 0 {
		return fmt.Errorf("%w: WithTrustedRoot needs at least one identity (WithIdentities)", ErrInvalidOption)
	}
	for i, id := range identities {
		if id.Subject == "" && id.SubjectRegexp == "" {
			return fmt.Errorf("%w: identity %d: need Subject or SubjectRegexp", ErrInvalidOption, i)
		}
		if id.Issuer == "" && id.IssuerRegexp == "" {
			return fmt.Errorf("%w: identity %d: need Issuer or IssuerRegexp", ErrInvalidOption, i)
		}
		ci, err := sgverify.NewShortCertificateIdentity(id.Issuer, id.IssuerRegexp, id.Subject, id.SubjectRegexp)
		if err != nil {
			return fmt.Errorf("%w: identity %d: %w", ErrInvalidOption, i, err)
		}
		v.identities = append(v.identities, ci)
	}
	// Keyless signatures need a verified transparency-log entry, checked
	// offline from its inclusion proof or promise, and a trusted time (the
	// log's integrated time or an RFC 3161 timestamp) at which the
	// short-lived certificate was valid.
	kv, err := sgverify.NewVerifier(tr, sgverify.WithTransparencyLog(1), sgverify.WithObserverTimestamps(1))
	if err != nil {
		return fmt.Errorf("%w: WithTrustedRoot: %w", ErrInvalidOption, err)
	}
	v.keyless = kv
	return nil
}

// Verify checks the cosign signatures of the artifact with the given
// digest and returns the first that passes. It reads signatures from the
// artifact's repository: in key-based mode first the legacy
// "sha256-<hex>.sig" image, then (in both modes) the sigstore bundles
// attached as referrers, through the OCI 1.1 referrers API or, when the
// registry lacks it, the "sha256-<hex>" tag fallback. Keyless mode reads
// bundles only. At most 64 signatures of each format are examined, and
// signature blobs larger than 4 MiB are refused.
//
// Verify does not resolve tags: resolve the artifact's tag to a digest
// first (and pull by that digest), so the verified content is the one used.
//
// On success the Result has [StatusVerified] and names the signature and
// the key or identity that matched. For an artifact without any signature,
// a Verifier built with [WithIgnoreUnsigned] returns [StatusIgnored] and a
// nil error. Otherwise the Result has [StatusNotVerified] and Verify returns
// a [*VerificationError] whose Reason is [ErrNoSignature],
// [ErrNoMatchingKey], [ErrNoMatchingIdentity], [ErrUntrusted],
// [ErrSubjectMismatch] or [ErrInvalidBundle], when the signatures were read
// and none passes; or any other error, wrapped, when the registry could not
// be read or ctx ended (these may be retried).
func (v *Verifier) Verify(ctx context.Context, artifact name.Digest) (Result, error) {
	res := Result{Artifact: artifact.String()}
	hash, err := gcrv1.NewHash(artifact.DigestStr())
	if err != nil {
		return res, fmt.Errorf("verify %s: %w", artifact, err)
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("verify %s: %w", artifact, err)
	}
	ropts := append(slices.Clone(v.remote), remote.WithContext(ctx))

	var failures []*SignatureError
	found := 0
	if v.keyless == nil {
		sigs, err := fetchLegacy(artifact, hash, ropts)
		if err != nil {
			return res, fmt.Errorf("verify %s: read legacy signatures: %w", artifact, err)
		}
		for _, s := range sigs {
			found++
			ok, failure := v.checkLegacy(s, res.Artifact, hash)
			if failure == nil {
				return ok, nil
			}
			failures = append(failures, failure)
		}
	}
	bundles, err := fetchBundles(artifact, ropts)
	if err != nil {
		return res, fmt.Errorf("verify %s: read signature bundles: %w", artifact, err)
	}
	for _, b := range bundles {
		ok, failure, skip := v.checkBundle(b, res.Artifact, hash)
		if skip {
			continue
		}
		found++
		if failure == nil {
			return ok, nil
		}
		failures = append(failures, failure)
	}
	if found == 0 && v.ignoreUnsigned {
		res.Status = StatusIgnored
		return res, nil
	}
	return res, newVerificationError(artifact.String(), failures)
}
