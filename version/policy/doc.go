// Package policy picks the latest tag of an image (or any tag list) by a
// policy: a semantic version range, alphabetical order or numerical order,
// after an optional regular-expression filter whose named groups can extract
// the part to rank.
//
// The one call a newcomer needs:
//
//	p, err := policy.New(policy.Options{Range: "^1.2"}) // semver is the default kind
//	tag, err := p.Latest(tags)
//
// Ranking tags like "main-3f2a9c1-1718000000" by their timestamp:
//
//	p, err := policy.New(policy.Options{
//		Kind:    policy.Numerical,
//		Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`,
//		Extract: "$ts",
//	})
//
// New validates everything once: the regular expression, the range, and that
// every group the extract template names exists in the pattern (package
// regexp would otherwise expand a misspelt "$tss" to an empty string and rank
// every tag equal). Latest then ranks in one pass, deterministically: ties go
// to the byte-wise greatest tag whatever the order of the list.
//
// # Concurrency
//
// A *Policy is immutable and safe for concurrent use.
//
// # Errors
//
// New returns errors wrapping ErrInvalidPolicy, a terminal condition, together
// with a *PatternError (ErrInvalidPattern) for a regular expression that does
// not compile, a *MissingGroupError (ErrMissingGroup) for an extract naming an
// absent group, or a *version.ParseError (version.ErrInvalidConstraint) for a
// bad range. Latest returns an error wrapping ErrNoMatch, an expected state,
// when no tag qualifies. Use errors.Is and errors.As.
package policy
