package git

import (
	"fmt"

	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

// Hash is a Git object id: the object format and the lowercase hex digits.
// It is the "<algorithm>:<hex>" part of a version.Revision, and the algorithm
// is version.SHA1 (Git's historical object format, 40 hex digits) or
// version.SHA256 (Git's newer object format, 64 hex digits). The zero value
// is no object.
type Hash struct {
	// Algorithm is version.SHA1 or version.SHA256. Empty only in the zero
	// Hash.
	Algorithm digest.Algorithm
	// Hex is the object id in lowercase hexadecimal.
	Hex string
}

// ParseHash parses a Git object id: the hex digits alone, SHA-1 or SHA-256
// told apart by their length (40 or 64), or "<algorithm>:<hex>" as
// Hash.String prints it ("sha1:<40 hex>", "sha256:<64 hex>").
//
// ParseHash reads its input with version.ParseAnyRevision, so the two agree
// on every input: ParseHash accepts exactly what ParseAnyRevision accepts
// without a named pointer and with a Git object format, and returns the same
// algorithm and hex. In particular hex must be lowercase, as Git prints it:
// uppercase is rejected, not normalised, so that a Hash, its String and the
// revisions built from it always round-trip.
//
// ParseHash returns an error wrapping ErrInvalidHash. When version rejected
// the input, the chain also holds its *version.ParseError (and
// version.ErrInvalidRevision); a content digest algorithm (sha384, sha512)
// adds version.ErrUnsupportedAlgorithm.
func ParseHash(s string) (Hash, error) {
	r, err := version.ParseAnyRevision(s)
	if err != nil {
		return Hash{}, fmt.Errorf("parse object id: %w: %w", ErrInvalidHash, err)
	}
	if r.Pointer != "" {
		return Hash{}, fmt.Errorf("parse object id %q: %w: names %q, want <hex> or <algorithm>:<hex> alone", s, ErrInvalidHash, r.Pointer)
	}
	return RevisionHash(r)
}

// RevisionHash returns the Git object id a revision names, ignoring its
// pointer: RevisionHash(commit.Revision()) is commit.Hash. It returns an error
// wrapping ErrInvalidHash and version.ErrUnsupportedAlgorithm when r's
// algorithm is not a Git object format (a sha384 or sha512 content digest),
// and ErrInvalidHash with r's validation error when r is malformed.
func RevisionHash(r version.Revision) (Hash, error) {
	if err := r.Validate(); err != nil {
		return Hash{}, fmt.Errorf("object id of revision: %w: %w", ErrInvalidHash, err)
	}
	if r.Algorithm != version.SHA1 && r.Algorithm != version.SHA256 {
		return Hash{}, fmt.Errorf("object id of revision %q: %w: %w: %s is not a Git object format (sha1 or sha256)",
			r.String(), ErrInvalidHash, version.ErrUnsupportedAlgorithm, r.Algorithm)
	}
	return Hash{Algorithm: r.Algorithm, Hex: r.Hex}, nil
}

// IsZero reports whether h is the zero Hash.
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns "<algorithm>:<hex>", formatted by version.Revision, or ""
// for the zero Hash.
func (h Hash) String() string { return h.revision("").String() }

// revision returns the version.Revision of h under pointer, the zero
// Revision for the zero Hash.
func (h Hash) revision(pointer string) version.Revision {
	if h.IsZero() {
		return version.Revision{}
	}
	return version.Revision{Pointer: pointer, Algorithm: h.Algorithm, Hex: h.Hex}
}
