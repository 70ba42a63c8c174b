package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/sluice-dev/sluice/version"
)

// Policy selects the latest tag from a list. It is immutable once built and
// safe for concurrent use.
type Policy struct {
	opts       Options
	re         *regexp.Regexp // nil without Pattern
	constraint version.Constraint
}

// New checks o and compiles its pattern and range, once, so that Latest only
// ranks.
//
// New returns an error wrapping ErrInvalidPolicy, which is terminal (the same
// options always fail), and, according to the cause:
//   - a *PatternError (ErrInvalidPattern) for a Pattern regexp rejects;
//   - a *MissingGroupError (ErrMissingGroup) for an Extract naming a group
//     Pattern lacks;
//   - a *version.ParseError (version.ErrInvalidConstraint) for a bad Range;
//   - only ErrInvalidPolicy for an unknown Kind or Order, a malformed Extract
//     template ("$" at the end, an unclosed "${"), or conflicting fields
//     (Range without SemVer, Descending with SemVer, Extract without Pattern).
func New(o Options) (*Policy, error) {
	p := &Policy{opts: o}
	switch o.Kind {
	case SemVer, Alphabetical, Numerical:
	default:
		return nil, invalid("unknown kind %s", o.Kind)
	}
	switch o.Order {
	case Ascending, Descending:
	default:
		return nil, invalid("unknown order %s", o.Order)
	}
	if o.Kind != SemVer && o.Range != "" {
		return nil, invalid("range %q is only for the semver kind, not %s", o.Range, o.Kind)
	}
	if o.Kind == SemVer && o.Order == Descending {
		return nil, invalid("order %s is only for the alphabetical and numerical kinds", o.Order)
	}
	if o.Extract != "" && o.Pattern == "" {
		return nil, invalid("extract %q needs a pattern", o.Extract)
	}
	if o.Pattern != "" {
		re, err := regexp.Compile(o.Pattern)
		if err != nil {
			return nil, fmt.Errorf("new policy: %w: %w", ErrInvalidPolicy, &PatternError{Pattern: o.Pattern, Err: err})
		}
		p.re = re
	}
	if o.Extract != "" {
		if err := checkTemplate(o.Extract, o.Pattern, p.re); err != nil {
			return nil, fmt.Errorf("new policy: %w: %w", ErrInvalidPolicy, err)
		}
	}
	if o.Kind == SemVer {
		r := o.Range
		if r == "" {
			r = "*"
		}
		c, err := version.ParseConstraint(r)
		if err != nil {
			return nil, fmt.Errorf("new policy: %w: range: %w", ErrInvalidPolicy, err)
		}
		p.constraint = c
	}
	return p, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("new policy: %w: %s", ErrInvalidPolicy, fmt.Sprintf(format, args...))
}

// Options returns the options p was built from.
func (p *Policy) Options() Options { return p.opts }

// String describes p, e.g. `semver "^1.2"` or
// `numerical desc, pattern "^main-(?P<ts>[0-9]+)$", extract "$ts"`.
func (p *Policy) String() string {
	var b strings.Builder
	b.WriteString(p.opts.Kind.String())
	if p.opts.Kind == SemVer {
		fmt.Fprintf(&b, " %q", p.constraint.String())
	} else {
		b.WriteString(" " + p.opts.Order.String())
	}
	if p.opts.Pattern != "" {
		fmt.Fprintf(&b, ", pattern %q", p.opts.Pattern)
	}
	if p.opts.Extract != "" {
		fmt.Fprintf(&b, ", extract %q", p.opts.Extract)
	}
	return b.String()
}

// candidate is a tag that passed the filter, with its ranking key.
type candidate struct {
	tag string
	ver version.Version // SemVer
	val string          // Alphabetical
	num decimal         // Numerical
}

// Latest returns the latest of tags under p, in one pass (O(n)), parsing each
// tag's value once:
//
//  1. with a Pattern, tags it does not match are skipped, and with an
//     Extract the ranked value is the template expanded over the first match;
//  2. values that are not versions (SemVer, or outside Range) or not numbers
//     (Numerical) are skipped;
//  3. the greatest value wins (the smallest with Descending). SemVer ranks by
//     version.Version.CompareTotal, the total order of version.SortTags:
//     precedence, then build metadata byte-wise (none first), then spelling
//     byte-wise; so of "1.0.0+b" and "v1.0.0+a" the winner is "1.0.0+b", the
//     last tag of SortTags in ascending order, and of "1.0" and "v1.0.0" it
//     is "v1.0.0". Alphabetical ranks byte-wise; Numerical by exact decimal
//     value, "7.5", "07.5" and "007.50" being equal.
//
// The ties left, which only equal extracted values or equal numbers make, go
// to the greatest tag byte-wise whatever the Order, so the result never
// depends on the order of tags.
//
// Latest returns an error wrapping ErrNoMatch when no tag is left.
func (p *Policy) Latest(tags []string) (string, error) {
	var best candidate
	found := false
	var buf []byte
	for _, tag := range tags {
		val := tag
		if p.re != nil {
			m := p.re.FindStringSubmatchIndex(tag)
			if m == nil {
				continue
			}
			if p.opts.Extract != "" {
				buf = p.re.ExpandString(buf[:0], p.opts.Extract, tag, m)
				val = string(buf)
			}
		}
		c := candidate{tag: tag}
		switch p.opts.Kind {
		case SemVer:
			v, ok := version.TryParse(val)
			if !ok || !p.constraint.Check(v) {
				continue
			}
			c.ver = v
		case Alphabetical:
			c.val = val
		default:
			d, ok := parseDecimal(val)
			if !ok {
				continue
			}
			c.num = d
		}
		if !found || p.compare(c, best) > 0 {
			best, found = c, true
		}
	}
	if !found {
		return "", fmt.Errorf("latest of %d tags by %s: %w", len(tags), p, ErrNoMatch)
	}
	return best.tag, nil
}

// compare ranks a against b: > 0 when a is newer.
func (p *Policy) compare(a, b candidate) int {
	var c int
	switch p.opts.Kind {
	case SemVer:
		c = a.ver.CompareTotal(b.ver)
	case Alphabetical:
		c = strings.Compare(a.val, b.val)
	default:
		c = a.num.compare(b.num)
	}
	if p.opts.Order == Descending {
		c = -c
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a.tag, b.tag)
}
