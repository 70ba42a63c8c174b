package version

import (
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// Sentinel errors. Every error returned by a parser in this package is a
// *ParseError whose chain holds exactly one of the Err* parse sentinels below,
// so callers can branch with errors.Is without string matching.
var (
	// ErrInvalidVersion is in the chain of a version that is not semantic
	// versioning (loose or strict, as asked).
	ErrInvalidVersion = errors.New("invalid version")

	// ErrInvalidConstraint is in the chain of a version range that cannot be
	// parsed.
	ErrInvalidConstraint = errors.New("invalid version constraint")

	// ErrInvalidRevision is in the chain of a revision that is neither in the
	// RFC-0005 form nor, where accepted, in a legacy form.
	ErrInvalidRevision = errors.New("invalid revision")

	// ErrInvalidDigest is in the chain of a malformed "<algorithm>:<hex>"
	// digest.
	ErrInvalidDigest = errors.New("invalid digest")

	// ErrUnsupportedAlgorithm is in the chain of a revision or digest whose
	// algorithm is well formed but not one this package accepts. It is found
	// next to ErrInvalidRevision or ErrInvalidDigest.
	ErrUnsupportedAlgorithm = errors.New("unsupported digest algorithm")

	// ErrDigestMismatch is in the chain of a *DigestMismatchError: content did
	// not hash to the expected digest. Retrying the same content will not
	// help.
	ErrDigestMismatch = errors.New("digest mismatch")
)

// maxInputInMessage bounds how much of a malformed input an error message
// repeats, so a huge tag list entry does not flood logs. ParseError.Input
// always holds the whole input.
const maxInputInMessage = 128

// ParseError reports malformed input: what was given, what the parser
// expected instead and why it gave up.
//
// Err holds the reason and wraps one of ErrInvalidVersion,
// ErrInvalidConstraint, ErrInvalidRevision or ErrInvalidDigest (and
// ErrUnsupportedAlgorithm where that is the cause), so errors.Is works on a
// *ParseError directly.
type ParseError struct {
	// Input is the text that failed to parse, untruncated.
	Input string
	// Expected describes the accepted syntax, e.g. "<pointer>@<algorithm>:<hex>".
	Expected string
	// Err is the reason, wrapping a sentinel.
	Err error
}

// Error implements error as `parse "<input>": <reason> (expected <syntax>)`.
func (e *ParseError) Error() string {
	in := e.Input
	if len(in) > maxInputInMessage {
		in = in[:maxInputInMessage] + "..."
	}
	return fmt.Sprintf("parse %q: %v (expected %s)", in, e.Err, e.Expected)
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

// DigestMismatchError reports content whose digest is not the expected one.
// It unwraps to ErrDigestMismatch. It is terminal: the same bytes will hash to
// the same wrong digest again.
type DigestMismatchError struct {
	// Expected is the digest the content was meant to have.
	Expected digest.Digest
	// Actual is the digest computed over the content.
	Actual digest.Digest
}

// Error implements error.
func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("digest mismatch: expected %s, got %s", e.Expected, e.Actual)
}

// Unwrap returns ErrDigestMismatch.
func (e *DigestMismatchError) Unwrap() error { return ErrDigestMismatch }

// newParseError builds a *ParseError whose Err is "<sentinel>: <reason>".
func newParseError(input, expected string, sentinel error, reason string) *ParseError {
	return &ParseError{Input: input, Expected: expected, Err: fmt.Errorf("%w: %s", sentinel, reason)}
}
