package policy

import (
	"errors"
	"fmt"
)

// Sentinel errors returned, wrapped, by New and Policy.Latest.
var (
	// ErrInvalidPolicy is in the chain of every error New returns: the
	// options can never select a tag, so retrying is pointless. It is
	// joined with ErrInvalidPattern, ErrMissingGroup or
	// version.ErrInvalidConstraint when one of those is the cause.
	ErrInvalidPolicy = errors.New("invalid image policy")

	// ErrInvalidPattern is in the chain of a *PatternError.
	ErrInvalidPattern = errors.New("invalid tag pattern")

	// ErrMissingGroup is in the chain of a *MissingGroupError.
	ErrMissingGroup = errors.New("extract names a group the pattern lacks")

	// ErrNoMatch is returned, wrapped, by Policy.Latest when no tag passes the
	// filter and the ranking. It is an expected state (the tag may be pushed
	// later), not a broken policy.
	ErrNoMatch = errors.New("no tag matches the policy")
)

// PatternError reports an Options.Pattern that package regexp rejects.
type PatternError struct {
	// Pattern is the regular expression as given.
	Pattern string
	// Err is the error from regexp.Compile, usually a *syntax.Error.
	Err error
}

// Error implements error.
func (e *PatternError) Error() string {
	return fmt.Sprintf("compile tag pattern %q: %v", e.Pattern, e.Err)
}

// Unwrap returns ErrInvalidPattern and the regexp error.
func (e *PatternError) Unwrap() []error { return []error{ErrInvalidPattern, e.Err} }

// MissingGroupError reports an Options.Extract template that refers to a
// capture group Options.Pattern does not define, such as "$ts" without a
// (?P<ts>...) group, or "$2" with one group. Left unchecked, regexp.Expand
// would silently substitute an empty string.
type MissingGroupError struct {
	// Group is the name or number used in the template.
	Group string
	// Extract is the template as given.
	Extract string
	// Pattern is the regular expression as given.
	Pattern string
}

// Error implements error.
func (e *MissingGroupError) Error() string {
	return fmt.Sprintf("extract %q: pattern %q has no group %q", e.Extract, e.Pattern, e.Group)
}

// Unwrap returns ErrMissingGroup.
func (e *MissingGroupError) Unwrap() error { return ErrMissingGroup }
