package version

import (
	"fmt"
	"math"
	"strings"
)

const expectConstraint = "comparators such as \">=1.2.0 <2.0.0\", \"^1.2\", \"~1.2.3\", \"1.2.x\", \"*\" or \"1.2 - 1.4\", joined by spaces or commas (and) and \"||\" (or)"

// Constraint is a parsed version range such as ">=1.2.0 <2.0.0 || ^3.1". It is
// an immutable value, safe to share between goroutines. The zero Constraint
// matches nothing; build one with ParseConstraint.
//
// # Syntax
//
// A constraint is one or more alternatives separated by "||"; a version
// satisfies the constraint when it satisfies any alternative. An alternative
// is a list of comparators separated by spaces or commas, all of which must
// hold, or a hyphen range "A - B". Versions in comparators are parsed loosely
// (see Parse) and may be partial ("1.2") or use a wildcard "x", "X" or "*" in
// place of a segment ("1.2.x"). Build metadata in a comparator is ignored.
//
//	1.2.3, =1.2.3, ==1.2.3   exactly 1.2.3 (any build metadata)
//	1.2, 1.2.x, =1.2         >=1.2.0 <1.3.0
//	*, x                     any release
//	!=1.2.3                  anything but 1.2.3; !=1.2 excludes all of 1.2.x
//	>1.2.3, >1.2             above 1.2.3; >=1.3.0
//	>=1.2, <1.2, <=1.2       >=1.2.0; <1.2.0; <1.3.0
//	~1.2.3, ~1.2, ~1         >=1.2.3 <1.3.0; >=1.2.0 <1.3.0; >=1.0.0 <2.0.0 ("~>" is an alias)
//	^1.2.3, ^0.2.3, ^0.0.3   >=1.2.3 <2.0.0; >=0.2.3 <0.3.0; >=0.0.3 <0.0.4
//	^1.2, ^0.0, ^1           >=1.2.0 <2.0.0; >=0.0.0 <0.1.0; >=1.0.0 <2.0.0
//	1.2.3 - 2.3.4            >=1.2.3 <=2.3.4
//	1.2 - 1.4                >=1.2.0 <1.5.0 (a partial upper bound includes all it covers)
//
// An operator may be separated from its version by spaces (">= 1.2").
// Canonical shows the comparators a constraint expands to.
//
// # Pre-releases
//
// A pre-release version satisfies an alternative only if it satisfies every
// comparator and at least one comparator of that same alternative was written
// with a pre-release on the same MAJOR.MINOR.PATCH. So ">=1.2.0" and "*" never
// select "1.3.0-rc.1", while ">=1.3.0-rc.1 <2.0.0" selects "1.3.0-rc.2" but
// not "1.4.0-rc.1": opting into the pre-releases of one release does not opt
// into those of every later one.
type Constraint struct {
	original string
	alts     [][]comparator
}

type op uint8

const (
	opEQ      op = iota // = v
	opNE                // != v
	opLT                // < v
	opLE                // <= v
	opGT                // > v
	opGE                // >= v
	opOutside           // v < lo || v >= hi (a partial "!=")
	opNone              // matches nothing (">*", "<*", "!=*")
)

// comparator is one primitive test. hi and n are used by opOutside only: hi is
// the exclusive upper bound, n the number of segments written.
type comparator struct {
	op op
	v  Version
	hi Version
	n  int
}

// ParseConstraint parses a version range; see Constraint for the syntax.
// String returns s unchanged.
//
// ParseConstraint returns a *ParseError wrapping ErrInvalidConstraint, whose
// message names the offending comparator, for an empty range, an empty
// alternative, an unknown operator, a malformed version or a dangling "-".
func ParseConstraint(s string) (Constraint, error) {
	c := Constraint{original: s}
	if strings.TrimSpace(s) == "" {
		return Constraint{}, newParseError(s, expectConstraint, ErrInvalidConstraint, "empty constraint")
	}
	for alt := range strings.SplitSeq(s, "||") {
		cmps, err := parseAlternative(alt)
		if err != "" {
			return Constraint{}, newParseError(s, expectConstraint, ErrInvalidConstraint, err)
		}
		c.alts = append(c.alts, cmps)
	}
	return c, nil
}

// String returns the constraint as it was given to ParseConstraint.
func (c Constraint) String() string { return c.original }

// Canonical returns the constraint expanded to primitive comparators with
// full versions, e.g. ">=1.2.0 <2.0.0" for "^1.2" and "*" for an alternative
// without bounds. ParseConstraint accepts it and yields the same constraint.
func (c Constraint) Canonical() string {
	var b strings.Builder
	for i, alt := range c.alts {
		if i > 0 {
			b.WriteString(" || ")
		}
		if len(alt) == 0 {
			b.WriteByte('*')
			continue
		}
		for j, cmp := range alt {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(cmp.String())
		}
	}
	return b.String()
}

func (cmp comparator) String() string {
	switch cmp.op {
	case opEQ:
		return "=" + cmp.v.String()
	case opNE:
		return "!=" + cmp.v.String()
	case opLT:
		return "<" + cmp.v.String()
	case opLE:
		return "<=" + cmp.v.String()
	case opGT:
		return ">" + cmp.v.String()
	case opGE:
		return ">=" + cmp.v.String()
	case opOutside:
		if cmp.n == 1 {
			return fmt.Sprintf("!=%d.x", cmp.v.major)
		}
		return fmt.Sprintf("!=%d.%d.x", cmp.v.major, cmp.v.minor)
	default:
		return "<*"
	}
}

// Check reports whether v satisfies the constraint, pre-release rule included.
func (c Constraint) Check(v Version) bool {
	for _, alt := range c.alts {
		if altMatches(alt, v) {
			return true
		}
	}
	return false
}

// Filter returns, in their order, the versions in vs that satisfy c. It
// allocates the result only.
func (c Constraint) Filter(vs []Version) []Version {
	var out []Version
	for _, v := range vs {
		if c.Check(v) {
			out = append(out, v)
		}
	}
	return out
}

func altMatches(alt []comparator, v Version) bool {
	for _, cmp := range alt {
		if !cmp.matches(v) {
			return false
		}
	}
	if v.pre == "" {
		return true
	}
	for _, cmp := range alt {
		if cmp.v.pre != "" && cmp.v.major == v.major && cmp.v.minor == v.minor && cmp.v.patch == v.patch {
			return true
		}
	}
	return false
}

func (cmp comparator) matches(v Version) bool {
	c := v.Compare(cmp.v)
	switch cmp.op {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	case opGE:
		return c >= 0
	case opOutside:
		return c < 0 || v.Compare(cmp.hi) >= 0
	default:
		return false
	}
}

// partial is a version in a comparator: n segments were written (0 for "*"),
// the others are 0.
type partial struct {
	v Version
	n int
}

// parseAlternative parses one "||"-separated part; it returns a reason on error.
func parseAlternative(alt string) ([]comparator, string) {
	fields := strings.FieldsFunc(alt, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ','
	})
	if len(fields) == 0 {
		return nil, "empty alternative between \"||\""
	}
	// Hyphen range: exactly "A - B".
	if len(fields) == 3 && fields[1] == "-" {
		return parseHyphen(fields[0], fields[2])
	}
	// Join bare operators with the version that follows them (">= 1.2").
	var tokens []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if isOperator(f) {
			if i+1 == len(fields) {
				return nil, fmt.Sprintf("operator %q without a version", f)
			}
			f += fields[i+1]
			i++
		}
		tokens = append(tokens, f)
	}
	out := []comparator{}
	for _, t := range tokens {
		cmps, reason := parseComparator(t)
		if reason != "" {
			return nil, reason
		}
		out = append(out, cmps...)
	}
	return out, ""
}

func isOperator(s string) bool {
	switch s {
	case "=", "==", "!=", "<", "<=", ">", ">=", "~", "~>", "^":
		return true
	}
	return false
}

func parseHyphen(lo, hi string) ([]comparator, string) {
	a, reason := parsePartial(lo)
	if reason != "" {
		return nil, reason
	}
	b, reason := parsePartial(hi)
	if reason != "" {
		return nil, reason
	}
	out := []comparator{}
	if a.n > 0 {
		out = append(out, comparator{op: opGE, v: a.v})
	}
	switch b.n {
	case 0:
	case 3:
		out = append(out, comparator{op: opLE, v: b.v})
	default:
		if up, ok := bump(b.v, b.n); ok {
			out = append(out, comparator{op: opLT, v: up})
		}
	}
	return out, ""
}

// parseComparator expands one operator+version token.
func parseComparator(t string) ([]comparator, string) {
	var opText string
	for _, o := range []string{"==", "!=", "<=", ">=", "~>", "=", "<", ">", "~", "^"} {
		if strings.HasPrefix(t, o) {
			opText = o
			break
		}
	}
	p, reason := parsePartial(t[len(opText):])
	if reason != "" {
		return nil, reason
	}
	lo, n := p.v, p.n
	up, hasUp := bump(lo, n) // exclusive upper bound of a partial
	none := []comparator{{op: opNone}}
	switch opText {
	case "", "=", "==":
		switch n {
		case 0:
			return nil, ""
		case 3:
			return []comparator{{op: opEQ, v: lo}}, ""
		}
		return rangeOf(lo, up, hasUp), ""
	case "!=":
		switch {
		case n == 0:
			return none, ""
		case n == 3:
			return []comparator{{op: opNE, v: lo}}, ""
		case !hasUp:
			return []comparator{{op: opLT, v: lo}}, ""
		}
		return []comparator{{op: opOutside, v: lo, hi: up, n: n}}, ""
	case ">":
		switch {
		case n == 0:
			return none, ""
		case n == 3:
			return []comparator{{op: opGT, v: lo}}, ""
		case !hasUp:
			return none, ""
		}
		return []comparator{{op: opGE, v: up}}, ""
	case ">=":
		if n == 0 {
			return nil, ""
		}
		return []comparator{{op: opGE, v: lo}}, ""
	case "<":
		if n == 0 {
			return none, ""
		}
		return []comparator{{op: opLT, v: lo}}, ""
	case "<=":
		switch {
		case n == 0:
			return nil, ""
		case n == 3:
			return []comparator{{op: opLE, v: lo}}, ""
		case !hasUp:
			return nil, ""
		}
		return []comparator{{op: opLT, v: up}}, ""
	case "~", "~>":
		if n == 0 {
			return nil, ""
		}
		k := min(n, 2)
		u, ok := bump(lo, k)
		return rangeOf(lo, u, ok), ""
	default: // "^"
		if n == 0 {
			return nil, ""
		}
		// The first non-zero segment among those written may not change.
		k := 1
		switch {
		case lo.major != 0 || n == 1:
		case lo.minor != 0 || n == 2:
			k = 2
		default:
			k = 3
		}
		u, ok := bump(lo, k)
		return rangeOf(lo, u, ok), ""
	}
}

func rangeOf(lo, up Version, hasUp bool) []comparator {
	out := []comparator{{op: opGE, v: lo}}
	if hasUp {
		out = append(out, comparator{op: opLT, v: up})
	}
	return out
}

// bump returns the smallest release above every version whose first k
// segments equal v's, carrying into higher segments on overflow; ok is false
// when no such version exists.
func bump(v Version, k int) (Version, bool) {
	seg := [3]uint64{v.major, v.minor, v.patch}
	for i := k - 1; i >= 0; i-- {
		if seg[i] < math.MaxUint64 {
			seg[i]++
			for j := i + 1; j < 3; j++ {
				seg[j] = 0
			}
			return Version{major: seg[0], minor: seg[1], patch: seg[2]}, true
		}
	}
	return Version{}, false
}

// parsePartial parses a possibly partial or wildcard version.
func parsePartial(s string) (partial, string) {
	if s == "" {
		return partial{}, "missing version after operator"
	}
	body := s
	if body[0] == 'v' || body[0] == 'V' {
		body = body[1:]
	}
	// Split off the numeric/wildcard part to find wildcards.
	end := len(body)
	if i := strings.IndexAny(body, "-+"); i >= 0 {
		end = i
	}
	segs := strings.Split(body[:end], ".")
	n := 0
	wild := false
	for _, sg := range segs {
		switch {
		case sg == "x" || sg == "X" || sg == "*":
			wild = true
		case wild:
			return partial{}, fmt.Sprintf("version %q: number after a wildcard", s)
		default:
			n++
		}
	}
	if wild {
		if end != len(body) {
			return partial{}, fmt.Sprintf("version %q: wildcard with pre-release or build metadata", s)
		}
		if len(segs) > 3 {
			return partial{}, fmt.Sprintf("version %q: more than three segments", s)
		}
		if n == 0 {
			return partial{}, ""
		}
		body = strings.Join(segs[:n], ".")
		s = body
	}
	v, f := parseVersion(s, false)
	if f.msg != "" {
		return partial{}, fmt.Sprintf("version %q: %s", s, f.err(s, expectLoose).Err.Error())
	}
	if v.pre != "" {
		n = 3 // "1.2-rc.1" is 1.2.0-rc.1, a full version
	}
	v.original, v.build = "", ""
	return partial{v: v, n: n}, ""
}
