package version

import (
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Algorithms accepted in revisions. SHA1 and SHA256 name Git object ids
// (SHA-1 and SHA-256 object formats); SHA256, SHA384 and SHA512 name content
// digests (OCI artifacts, archives), the ones ParseDigest accepts.
const (
	SHA1   digest.Algorithm = "sha1"
	SHA256                  = digest.SHA256
	SHA384                  = digest.SHA384
	SHA512                  = digest.SHA512
)

const expectRevision = "<pointer>@<algorithm>:<hex> or <algorithm>:<hex>, algorithm sha1 (40 hex), sha256 (64), sha384 (96) or sha512 (128), lowercase hex"

// hexLen returns the length of the hex encoding of an algorithm's digest, or
// 0 for an algorithm revisions do not accept.
func hexLen(a digest.Algorithm) int {
	switch a {
	case SHA1:
		return 40
	case SHA256:
		return 64
	case SHA384:
		return 96
	case SHA512:
		return 128
	}
	return 0
}

// Revision identifies a version of a source in the RFC-0005 form
// "<named pointer>@<algorithm>:<hex>": "main@sha1:<40 hex>",
// "v1.2.3@sha256:<64 hex>", "refs/pull/1/head@sha1:<40 hex>",
// "latest@sha256:<64 hex>" for an OCI tag, or "<algorithm>:<hex>" alone when
// nothing names it.
//
// Revision is plain comparable data. Two revisions are the same content when
// SameDigest reports so, whatever their pointers; == also compares pointers.
// A Revision built by hand may be invalid; Validate tells.
type Revision struct {
	// Pointer is the name that led to the content: a branch, tag, Git
	// reference or OCI tag. Empty for a digest-only revision.
	Pointer string
	// Algorithm is one of SHA1, SHA256, SHA384, SHA512.
	Algorithm digest.Algorithm
	// Hex is the object id or digest in lowercase hexadecimal.
	Hex string
}

// ParseRevision parses s in the RFC-0005 form. The named pointer is
// everything before the last '@', so a pointer may itself contain '@'; it may
// not be empty when '@' is present, nor contain spaces or control characters.
// Hex must be lowercase: uppercase hex is rejected rather than normalised, so
// String(ParseRevision(s)) == s always, as Git and OCI digests are lowercase.
//
// Legacy forms ("main/<sha>", a bare sha) are rejected; see
// ParseLegacyRevision and ConvertLegacyRevision.
//
// ParseRevision returns a *ParseError wrapping ErrInvalidRevision, and also
// ErrUnsupportedAlgorithm for an algorithm other than sha1, sha256, sha384 or
// sha512.
func ParseRevision(s string) (Revision, error) {
	r, reason, unsupported := parseRevision(s)
	if reason != "" {
		return Revision{}, revisionError(s, expectRevision, reason, unsupported)
	}
	return r, nil
}

func revisionError(s, expected, reason string, unsupported bool) *ParseError {
	if unsupported {
		return &ParseError{Input: s, Expected: expected,
			Err: fmt.Errorf("%w: %w: %s", ErrInvalidRevision, ErrUnsupportedAlgorithm, reason)}
	}
	return newParseError(s, expected, ErrInvalidRevision, reason)
}

// parseRevision returns a non-empty reason on failure, and whether the cause
// is an unsupported algorithm.
func parseRevision(s string) (Revision, string, bool) {
	if s == "" {
		return Revision{}, "empty revision", false
	}
	var r Revision
	dig := s
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		r.Pointer, dig = s[:at], s[at+1:]
		if r.Pointer == "" {
			return Revision{}, "empty named pointer before '@'", false
		}
		if reason := checkPointer(r.Pointer); reason != "" {
			return Revision{}, reason, false
		}
	}
	alg, hex, ok := strings.Cut(dig, ":")
	if !ok {
		return Revision{}, fmt.Sprintf("missing \"<algorithm>:\" in %q", dig), false
	}
	r.Algorithm, r.Hex = digest.Algorithm(alg), hex
	if reason, unsupported := checkDigestPart(r.Algorithm, hex); reason != "" {
		return Revision{}, reason, unsupported
	}
	return r, "", false
}

// checkPointer rejects pointers that cannot be a Git reference or OCI tag and
// would make a revision ambiguous in logs: spaces and control characters.
func checkPointer(p string) string {
	for i := range len(p) {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return fmt.Sprintf("named pointer %q contains a space or control character", p)
		}
	}
	return ""
}

func checkDigestPart(alg digest.Algorithm, hex string) (string, bool) {
	if alg == "" {
		return "empty algorithm", false
	}
	want := hexLen(alg)
	if want == 0 {
		return fmt.Sprintf("algorithm %q not one of sha1, sha256, sha384, sha512", string(alg)), true
	}
	if len(hex) != want {
		return fmt.Sprintf("%s wants %d hex characters, got %d", alg, want, len(hex)), false
	}
	if !isLowerHex(hex) {
		return fmt.Sprintf("%s value is not lowercase hexadecimal", alg), false
	}
	return "", false
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// String formats r as "<pointer>@<algorithm>:<hex>", or "<algorithm>:<hex>"
// without a pointer. The zero Revision formats as "".
func (r Revision) String() string {
	if r == (Revision{}) {
		return ""
	}
	if r.Pointer == "" {
		return string(r.Algorithm) + ":" + r.Hex
	}
	return r.Pointer + "@" + string(r.Algorithm) + ":" + r.Hex
}

// Digest returns the "<algorithm>:<hex>" part as a digest.Digest. For SHA1
// (a Git object id) go-digest cannot verify it: its Validate reports
// digest.ErrDigestUnsupported.
func (r Revision) Digest() digest.Digest {
	return digest.NewDigestFromEncoded(r.Algorithm, r.Hex)
}

// SameDigest reports whether r and o name the same content, ignoring their
// pointers: "main@sha1:X" and "v1@sha1:X" are the same commit. Revisions with
// different algorithms are never the same.
func (r Revision) SameDigest(o Revision) bool {
	return r.Algorithm == o.Algorithm && r.Hex == o.Hex
}

// IsZero reports whether r is the zero Revision.
func (r Revision) IsZero() bool { return r == (Revision{}) }

// Validate checks r as ParseRevision checks its input, and returns the same
// errors.
func (r Revision) Validate() error {
	s := r.String()
	p, err := ParseRevision(s)
	if err != nil {
		return err
	}
	if p != r {
		// The fields only look valid once joined, e.g. Algorithm "main@sha1".
		return newParseError(s, expectRevision, ErrInvalidRevision, "fields do not round-trip: "+fmt.Sprintf("%#v", r))
	}
	return nil
}
