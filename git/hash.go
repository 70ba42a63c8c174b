package git

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// HashAlgorithm is the object format of a repository.
type HashAlgorithm string

// Object formats Git knows.
const (
	// SHA1 is Git's historical object format, 40 hex digits.
	SHA1 HashAlgorithm = "sha1"
	// SHA256 is Git's newer object format, 64 hex digits.
	SHA256 HashAlgorithm = "sha256"
)

// Size returns the length in hex digits of a hash of this algorithm, or 0 for
// an unknown algorithm.
func (a HashAlgorithm) Size() int {
	switch a {
	case SHA1:
		return 40
	case SHA256:
		return 64
	default:
		return 0
	}
}

// Hash is a Git object id: the object format and the lowercase hex digits.
// The zero value is no object.
type Hash struct {
	// Algorithm is the object format. Empty only in the zero Hash.
	Algorithm HashAlgorithm
	// Hex is the object id in lowercase hexadecimal.
	Hex string
}

// ParseHash returns the Hash of a hex object id, telling SHA-1 from SHA-256
// by its length. Upper-case hex is accepted and lowered. It returns an error
// wrapping ErrInvalidHash for anything else.
func ParseHash(s string) (Hash, error) {
	s = strings.ToLower(s)
	if _, err := hex.DecodeString(s); err != nil {
		return Hash{}, fmt.Errorf("parse hash %q: %w", s, ErrInvalidHash)
	}
	switch len(s) {
	case SHA1.Size():
		return Hash{Algorithm: SHA1, Hex: s}, nil
	case SHA256.Size():
		return Hash{Algorithm: SHA256, Hex: s}, nil
	default:
		return Hash{}, fmt.Errorf("parse hash %q: %w", s, ErrInvalidHash)
	}
}

// IsZero reports whether h is the zero Hash.
func (h Hash) IsZero() bool { return h.Hex == "" }

// String returns "<algorithm>:<hex>", or "" for the zero Hash.
func (h Hash) String() string {
	if h.IsZero() {
		return ""
	}
	return string(h.Algorithm) + ":" + h.Hex
}
