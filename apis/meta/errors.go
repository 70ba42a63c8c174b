package meta

import (
	"errors"
	"fmt"
)

// Sentinel errors that [ArtifactError] wraps, for errors.Is.
var (
	// ErrInvalidRevision: an artifact revision does not follow
	// [RevisionPattern].
	ErrInvalidRevision = errors.New("invalid revision")

	// ErrInvalidDigest: an artifact digest does not follow
	// [DigestPattern].
	ErrInvalidDigest = errors.New("invalid digest")

	// ErrInvalidSize: an artifact size is negative.
	ErrInvalidSize = errors.New("invalid size")
)

// ArtifactError describes one invalid field of an [Artifact]. The
// apiserver would refuse the same value, so retrying does not help: the
// controller that built the artifact has a bug or a bad input.
type ArtifactError struct {
	// Field is the JSON name of the field: "revision", "digest" or "size".
	Field string

	// Value is the offending value; empty for size.
	Value string

	// Reason says what is wrong, for people.
	Reason string

	// Err is the sentinel: [ErrInvalidRevision], [ErrInvalidDigest] or
	// [ErrInvalidSize].
	Err error
}

// Error returns "validate artifact <field> <value>: <reason>: <sentinel>".
func (e *ArtifactError) Error() string {
	if e.Value == "" && e.Field == "size" {
		return fmt.Sprintf("validate artifact %s: %s: %v", e.Field, e.Reason, e.Err)
	}
	return fmt.Sprintf("validate artifact %s %q: %s: %v", e.Field, e.Value, e.Reason, e.Err)
}

// Unwrap returns the sentinel.
func (e *ArtifactError) Unwrap() error { return e.Err }
