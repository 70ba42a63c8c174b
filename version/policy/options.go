package policy

import "fmt"

// Kind is how a policy ranks tags.
type Kind int

const (
	// SemVer ranks tags as semantic versions (parsed loosely, see
	// version.Parse) within Options.Range; tags that are not versions are
	// skipped. Loose parsing reads a bare number such as a build number "42"
	// as 42.0.0: restrict with Pattern if such tags exist. The default.
	SemVer Kind = iota
	// Alphabetical ranks tags by byte-wise string comparison.
	Alphabetical
	// Numerical ranks tags as decimal numbers ("42", "-1.5",
	// "20250203150405"), compared exactly whatever their length; tags that
	// are not such numbers are skipped.
	Numerical
)

// String returns "semver", "alphabetical" or "numerical".
func (k Kind) String() string {
	switch k {
	case SemVer:
		return "semver"
	case Alphabetical:
		return "alphabetical"
	case Numerical:
		return "numerical"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Order is the direction of an Alphabetical or Numerical ranking.
type Order int

const (
	// Ascending ranks larger values as newer: the latest tag is the greatest.
	// The default.
	Ascending Order = iota
	// Descending ranks smaller values as newer: the latest tag is the
	// smallest.
	Descending
)

// String returns "asc" or "desc".
func (o Order) String() string {
	switch o {
	case Ascending:
		return "asc"
	case Descending:
		return "desc"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// Options describes a policy. The zero value is "the highest release by
// semantic versioning" (Kind SemVer, Range "*"), over all tags.
type Options struct {
	// Kind is how tags are ranked. Default SemVer.
	Kind Kind
	// Range is the version range for SemVer, in version.ParseConstraint
	// syntax, pre-release rule included. Default "" means "*" (any release).
	// Set with another Kind, it is a conflict.
	Range string
	// Order is the direction for Alphabetical and Numerical. Default
	// Ascending. Descending with SemVer is a conflict.
	Order Order
	// Pattern is an optional RE2 regular expression (package regexp): tags it
	// does not match are skipped. Default "": keep all tags. It is not
	// anchored unless it says so ("^...$").
	Pattern string
	// Extract is an optional regexp.Expand template applied to the first
	// match of Pattern, giving the value that is ranked instead of the tag:
	// "$ts" or "${ts}" for the group (?P<ts>...), "$1" for the first group,
	// "$$" for a '$'. Every group it names must exist in Pattern. Default "":
	// rank the whole tag. Set without Pattern, it is a conflict.
	Extract string
}
