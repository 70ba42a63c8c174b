package verify

import "strconv"

// Status is the outcome of [Verifier.Verify]. The zero value is
// [StatusNotVerified].
type Status int

const (
	// StatusNotVerified means no signature passed verification, or
	// verification could not run; Verify returns an error with it.
	StatusNotVerified Status = iota
	// StatusVerified means one signature passed: Result names it and the
	// key or identity that matched.
	StatusVerified
	// StatusIgnored means the artifact has no signature at all and the
	// Verifier was built with [WithIgnoreUnsigned].
	StatusIgnored
)

// String returns "NotVerified", "Verified" or "Ignored".
func (s Status) String() string {
	switch s {
	case StatusNotVerified:
		return "NotVerified"
	case StatusVerified:
		return "Verified"
	case StatusIgnored:
		return "Ignored"
	default:
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
}

// Format is the storage format of a cosign signature. The zero value is
// [FormatNone].
type Format int

const (
	// FormatNone means no signature, as in an ignored or failed Result.
	FormatNone Format = iota
	// FormatLegacy is cosign's original format: an image tagged
	// "sha256-<hex>.sig" whose layers are simple-signing payloads, each
	// with its base64 signature in the annotation
	// "dev.cosignproject.cosign/signature".
	FormatLegacy
	// FormatBundle is cosign v3's default: a sigstore bundle (a DSSE
	// envelope over an in-toto statement) in a manifest that names the
	// artifact as its subject, found through the OCI 1.1 referrers API or
	// the "sha256-<hex>" tag fallback.
	FormatBundle
)

// String returns "none", "legacy" or "bundle".
func (f Format) String() string {
	switch f {
	case FormatNone:
		return "none"
	case FormatLegacy:
		return "legacy"
	case FormatBundle:
		return "bundle"
	default:
		return "Format(" + strconv.Itoa(int(f)) + ")"
	}
}

// Result is what [Verifier.Verify] found: plain data a controller can log,
// store in a status condition, or compare in tests.
type Result struct {
	// Status is the outcome. Default StatusNotVerified.
	Status Status
	// Artifact is the digest reference verified,
	// "registry/repository@sha256:<hex>".
	Artifact string
	// Format is the format of the signature that passed; FormatNone unless
	// Status is StatusVerified.
	Format Format
	// Signature is the digest of the OCI manifest that carries the
	// signature that passed (the ".sig" image or the bundle referrer);
	// empty unless Status is StatusVerified.
	Signature string
	// KeyFingerprint identifies the public key that matched in key-based
	// mode, as returned by [KeyFingerprint]; empty in keyless mode.
	KeyFingerprint string
	// Subject is the certificate's subject alternative name (an email
	// address or URI) that matched in keyless mode; empty in key-based
	// mode.
	Subject string
	// Issuer is the OIDC issuer recorded in the certificate that matched in
	// keyless mode; empty in key-based mode.
	Issuer string
}
