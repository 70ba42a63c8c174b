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
// every tag equal). Latest then ranks in one pass, deterministically whatever
// the order of the list: the semver kind ranks by version.Version.CompareTotal,
// so a semver policy picks the tag version.SortTags would sort last even among
// versions equal but for build metadata or spelling ("1.0.0+b" over
// "v1.0.0+a"); remaining ties, between equal extracted values or equal
// numbers, go to the byte-wise greatest tag.
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
