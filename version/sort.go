package version

import "slices"

// TagOptions configures SortTags. The zero value parses loosely, keeps every
// version (pre-releases included) and sorts ascending.
type TagOptions struct {
	// Strict parses tags with ParseStrict instead of Parse. Default false.
	Strict bool
	// Constraint, when not nil, keeps only the versions it accepts, with its
	// pre-release rule. Default nil: keep all.
	Constraint *Constraint
	// Descending sorts newest first. Default false: oldest first.
	Descending bool
}

// Sort sorts vs in ascending CompareTotal order, in O(n log n) comparisons and
// swaps.
//
// CompareTotal returns 0 only for versions parsed from the same string, which
// are identical values, so the result is the same as a stable sort's and does
// not depend on the input order.
func Sort(vs []Version) {
	slices.SortFunc(vs, Version.CompareTotal)
}

// SortTags parses each tag exactly once, drops the tags that are not versions
// (see TagOptions.Strict) or that the constraint rejects, and returns the rest
// sorted as Sort does (or in reverse with Descending). Original on each result
// gives the tag back.
//
// It runs in O(n log n) time and allocates the result and nothing per tag.
func SortTags(tags []string, o TagOptions) []Version {
	out := make([]Version, 0, len(tags))
	for _, t := range tags {
		v, f := parseVersion(t, o.Strict)
		if f.msg != "" {
			continue
		}
		if o.Constraint != nil && !o.Constraint.Check(v) {
			continue
		}
		out = append(out, v)
	}
	if o.Descending {
		slices.SortFunc(out, func(a, b Version) int { return b.CompareTotal(a) })
	} else {
		Sort(out)
	}
	return out
}
