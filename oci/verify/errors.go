package verify

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidOption is wrapped by the error [New] returns for an invalid or
// conflicting option, including a public key or trusted root that does not
// parse. Test with errors.Is.
var ErrInvalidOption = errors.New("invalid option")

// ErrNoSignature is the reason of a [*VerificationError] when the artifact
// has no signature of a format the [Verifier] reads: no "sha256-<hex>.sig"
// tag (key-based mode only) and no referrer carrying a cosign signature
// bundle. A [Verifier] built with [WithIgnoreUnsigned] reports
// [StatusIgnored] instead.
var ErrNoSignature = errors.New("no signature found")

// ErrNoMatchingKey is the reason of a [*VerificationError] when the artifact
// has signatures but none was made by one of the configured public keys.
var ErrNoMatchingKey = errors.New("no signature matches a trusted public key")

// ErrNoMatchingIdentity is the reason of a [*VerificationError] when a
// keyless signature chains to the trusted root and is logged in a trusted
// transparency log, but its certificate's subject and issuer match none of
// the identities given with [WithIdentities].
var ErrNoMatchingIdentity = errors.New("no signature matches a trusted identity")

// ErrUntrusted is the reason of a [*VerificationError] in keyless mode when
// no signature is trusted at all: its certificate does not chain to a
// certificate authority of the trusted root, it is signed with a key
// instead of a certificate, it lacks a transparency-log entry or timestamp
// that verifies against the trusted root, or the signature itself is wrong.
var ErrUntrusted = errors.New("no signature is trusted by the trusted root")

// ErrSubjectMismatch is the reason of a [*VerificationError] when a
// signature is authentic but was made for another artifact: the subject of
// the signed payload or statement is a digest other than the one verified.
// It is what copying a signature onto another (tampered) artifact produces.
// It is not version.ErrDigestMismatch, which means content that does not
// hash to its expected digest.
var ErrSubjectMismatch = errors.New("signature is for a different subject digest")

// ErrInvalidBundle is the reason of a [*VerificationError] when every
// signature found is malformed: a sigstore bundle, its DSSE envelope or
// in-toto statement, a legacy simple-signing payload or its base64
// signature annotation does not parse, or a signature blob exceeds the size
// limit.
var ErrInvalidBundle = errors.New("invalid signature bundle or payload")

// VerificationError is returned by [Verifier.Verify] when the artifact's
// signatures were read from the registry and none passes verification. It
// is terminal for the artifact's current signatures: retrying cannot help
// until someone signs it again. Registry and context failures are not
// VerificationErrors.
type VerificationError struct {
	// Artifact is the digest reference that was verified.
	Artifact string
	// Reason is one of ErrNoSignature, ErrNoMatchingKey,
	// ErrNoMatchingIdentity, ErrUntrusted, ErrSubjectMismatch or
	// ErrInvalidBundle: the most specific failure among Signatures.
	Reason error
	// Signatures holds one entry per signature examined, in the order
	// examined. It is empty when Reason is ErrNoSignature.
	Signatures []*SignatureError
}

// Error returns "verify ARTIFACT: REASON", followed by the first
// signature's failure when there is one.
func (e *VerificationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verify %s: %v", e.Artifact, e.Reason)
	if n := len(e.Signatures); n > 0 {
		fmt.Fprintf(&b, " (%d signature", n)
		if n > 1 {
			b.WriteString("s")
		}
		fmt.Fprintf(&b, " examined; first: %v)", e.Signatures[0])
	}
	return b.String()
}

// Unwrap returns Reason, so errors.Is(err, ErrNoMatchingKey) works.
func (e *VerificationError) Unwrap() error { return e.Reason }

// SignatureError says why one signature failed verification.
type SignatureError struct {
	// Format is the signature's format.
	Format Format
	// Manifest is the digest of the OCI manifest that carries the
	// signature: the ".sig" image or the bundle referrer.
	Manifest string
	// Err wraps one of the reasons listed on [VerificationError.Reason]
	// with the detail of the failure.
	Err error
}

// Error returns "FORMAT signature in MANIFEST: ERR".
func (e *SignatureError) Error() string {
	return fmt.Sprintf("%s signature in %s: %v", e.Format, e.Manifest, e.Err)
}

// Unwrap returns Err.
func (e *SignatureError) Unwrap() error { return e.Err }

// newVerificationError builds the error for failures. Its reason is the
// most specific one present among them, ranked from the closest to a valid
// signature to the farthest.
func newVerificationError(artifact string, failures []*SignatureError) *VerificationError {
	e := &VerificationError{Artifact: artifact, Reason: ErrNoSignature, Signatures: failures}
	for _, r := range []error{ErrNoMatchingIdentity, ErrNoMatchingKey, ErrUntrusted, ErrSubjectMismatch, ErrInvalidBundle} {
		for _, f := range failures {
			if errors.Is(f.Err, r) {
				e.Reason = r
				return e
			}
		}
	}
	return e
}
