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
// Versions equal but for build metadata or spelling ("1.0.0+b", "v1.0.0+a")
// are ordered by CompareTotal, the order package policy also uses, so
// policy.Policy.Latest with a semver policy returns the last tag of the
// ascending result.
func SortTags(tags []string, o TagOptions) []Version {
	return sortTags(tags, o, parseVersion, Version.CompareTotal)
}

// sortTags is SortTags with the parser and the comparison passed in, so that
// tests can count parse calls and comparisons; SortTags passes parseVersion
// and Version.CompareTotal. Each tag is parsed once, before sorting, and cmp
// sees parsed values only.
func sortTags(tags []string, o TagOptions, parse func(string, bool) (Version, failure), cmp func(a, b Version) int) []Version {
	out := make([]Version, 0, len(tags))
	for _, t := range tags {
		v, f := parse(t, o.Strict)
		if f.msg != "" {
			continue
		}
		if o.Constraint != nil && !o.Constraint.Check(v) {
			continue
		}
		out = append(out, v)
	}
	if o.Descending {
		slices.SortFunc(out, func(a, b Version) int { return cmp(b, a) })
	} else {
		slices.SortFunc(out, cmp)
	}
	return out
}
