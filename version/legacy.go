package version

import (
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

const expectAnyRevision = expectRevision + ", or a legacy <pointer>/<hex> or <hex> with 40 (sha1) or 64 (sha256) lowercase hex"

// ParseAnyRevision parses s in the RFC-0005 form (see ParseRevision) or in one
// of the legacy forms that controllers stored before it, and returns the
// RFC-0005 equivalent:
//
//	<40 hex>                  sha1:<40 hex>          a bare Git commit
//	<64 hex>                  sha256:<64 hex>        a bare SHA-256 (Git object or content digest)
//	main/<40 hex>             main@sha1:<40 hex>     branch or tag, then the commit
//	refs/heads/main/<40 hex>  refs/heads/main@sha1:<40 hex>
//	latest/<64 hex>           latest@sha256:<64 hex> OCI tag, then the digest
//	latest/sha256:<64 hex>    latest@sha256:<64 hex>
//
// The pointer is everything before the last '/' and is kept verbatim:
// "refs/heads/main" is not shortened to "main", because the RFC-0005 form
// keeps references as configured ("refs/pull/1/head@sha1:…") and comparisons
// ignore pointers anyway (see SameDigest). Hex must be lowercase, as in
// ParseRevision.
//
// ParseAnyRevision returns a *ParseError wrapping ErrInvalidRevision that
// gives the reason for both forms, and also ErrUnsupportedAlgorithm when the
// input looks like RFC-0005 with an unknown algorithm.
func ParseAnyRevision(s string) (Revision, error) {
	r, reason, unsupported := parseRevision(s)
	if reason == "" {
		return r, nil
	}
	r, legacyReason := parseLegacy(s)
	if legacyReason == "" {
		return r, nil
	}
	if s == "" {
		return Revision{}, revisionError(s, expectAnyRevision, reason, false)
	}
	return Revision{}, revisionError(s, expectAnyRevision,
		fmt.Sprintf("not RFC-0005: %s; not legacy: %s", reason, legacyReason), unsupported)
}

// ConvertLegacyRevision returns s in the RFC-0005 form: s itself when it is
// already in that form, or the conversion of a legacy form described in
// ParseAnyRevision. It returns the errors of ParseAnyRevision.
func ConvertLegacyRevision(s string) (string, error) {
	r, err := ParseAnyRevision(s)
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

// RevisionChanged reports whether the content named by newRev differs from
// the one named by oldRev. Either may be in a legacy form; pointers are
// ignored, so "main/X" and "main@sha1:X" are unchanged, and so are
// "main@sha1:X" and "v1@sha1:X". An empty oldRev (nothing fetched before)
// counts as changed.
//
// RevisionChanged returns the errors of ParseAnyRevision, wrapped with which
// side failed; an empty newRev is an error.
func RevisionChanged(oldRev, newRev string) (bool, error) {
	n, err := ParseAnyRevision(newRev)
	if err != nil {
		return false, fmt.Errorf("compare revisions: new revision: %w", err)
	}
	if oldRev == "" {
		return true, nil
	}
	o, err := ParseAnyRevision(oldRev)
	if err != nil {
		return false, fmt.Errorf("compare revisions: old revision: %w", err)
	}
	return !o.SameDigest(n), nil
}

// parseLegacy parses "<hex>", "<pointer>/<hex>" and
// "<pointer>/<algorithm>:<hex>"; it returns a non-empty reason on failure.
func parseLegacy(s string) (Revision, string) {
	if s == "" {
		return Revision{}, "empty revision"
	}
	var r Revision
	last := s
	if slash := strings.LastIndexByte(s, '/'); slash >= 0 {
		r.Pointer, last = s[:slash], s[slash+1:]
		if r.Pointer == "" {
			return Revision{}, "empty named pointer before '/'"
		}
		if reason := checkPointer(r.Pointer); reason != "" {
			return Revision{}, reason
		}
		if alg, hex, ok := strings.Cut(last, ":"); ok {
			r.Algorithm, r.Hex = digest.Algorithm(alg), hex
			if reason, _ := checkDigestPart(r.Algorithm, hex); reason != "" {
				return Revision{}, reason
			}
			return r, ""
		}
	}
	switch len(last) {
	case 40:
		r.Algorithm = SHA1
	case 64:
		r.Algorithm = SHA256
	default:
		return Revision{}, fmt.Sprintf("want 40 or 64 lowercase hex characters, got %d characters", len(last))
	}
	if !isLowerHex(last) {
		return Revision{}, "not lowercase hexadecimal"
	}
	r.Hex = last
	return r, ""
}
