package version

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Syntax descriptions used in ParseError.Expected.
const (
	expectLoose  = "[v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD] with decimal MAJOR, MINOR, PATCH"
	expectStrict = "MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] as in SemVer 2.0.0, no leading zeros"
)

// Version is a parsed semantic version. It is an immutable value, safe to copy
// and to share between goroutines; the zero Version is 0.0.0 with an empty
// Original.
//
// Build it with Parse (loose, for real-world tags) or ParseStrict (SemVer
// 2.0.0 exactly). MAJOR, MINOR and PATCH are limited to uint64; larger numbers
// are rejected.
type Version struct {
	major, minor, patch uint64
	pre                 string // pre-release, without the leading '-'; a substring of original
	build               string // build metadata, without the leading '+'; a substring of original
	original            string
}

// Parse parses s loosely, the way image and Git tags are written in practice:
//
//   - an optional "v" or "V" prefix: "v1.2.3";
//   - one to three numeric segments, missing ones meaning 0: "1.2" is 1.2.0;
//   - zero-padded segments: "2025.02.03" is 2025.2.3;
//   - a pre-release and build metadata as in SemVer 2.0.0, where numeric
//     pre-release identifiers may carry leading zeros ("rc.01" ranks as "rc.1").
//
// Surrounding spaces and a fourth segment ("1.2.3.4") are rejected. Original
// returns s unchanged; String returns the canonical SemVer 2.0.0 form.
//
// Parse returns a *ParseError wrapping ErrInvalidVersion on malformed input.
func Parse(s string) (Version, error) {
	v, f := parseVersion(s, false)
	if f.msg != "" {
		return Version{}, f.err(s, expectLoose)
	}
	return v, nil
}

// ParseStrict parses s as SemVer 2.0.0 exactly: three segments, no prefix, no
// leading zeros in numeric segments or numeric pre-release identifiers.
//
// ParseStrict returns a *ParseError wrapping ErrInvalidVersion on anything
// else.
func ParseStrict(s string) (Version, error) {
	v, f := parseVersion(s, true)
	if f.msg != "" {
		return Version{}, f.err(s, expectStrict)
	}
	return v, nil
}

// TryParse parses s as Parse does but reports failure as false instead of
// building an error, so filtering a long tag list where most tags are not
// versions costs no allocation.
func TryParse(s string) (Version, bool) {
	v, f := parseVersion(s, false)
	return v, f.msg == ""
}

// Major returns the major version.
func (v Version) Major() uint64 { return v.major }

// Minor returns the minor version, 0 if it was omitted.
func (v Version) Minor() uint64 { return v.minor }

// Patch returns the patch version, 0 if it was omitted.
func (v Version) Patch() uint64 { return v.patch }

// Prerelease returns the pre-release without its leading '-', as written
// (leading zeros kept), or "" for a release.
func (v Version) Prerelease() string { return v.pre }

// Metadata returns the build metadata without its leading '+', or "".
func (v Version) Metadata() string { return v.build }

// Original returns the text v was parsed from, unchanged: use it to refer back
// to a tag.
func (v Version) Original() string { return v.original }

// String returns v in canonical SemVer 2.0.0 form, without "v" prefix, with
// all three segments and without leading zeros, e.g. "2025.2.3-rc.1" for
// "v2025.02.03-rc.01". ParseStrict accepts it.
func (v Version) String() string {
	var b strings.Builder
	b.Grow(len(v.original) + 8)
	b.WriteString(strconv.FormatUint(v.major, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.minor, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.patch, 10))
	if v.pre != "" {
		b.WriteByte('-')
		for i, id := range strings.Split(v.pre, ".") {
			if i > 0 {
				b.WriteByte('.')
			}
			if isNumeric(id) {
				id = trimZeros(id)
			}
			b.WriteString(id)
		}
	}
	if v.build != "" {
		b.WriteByte('+')
		b.WriteString(v.build)
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler with Original, so a tag
// survives a JSON round trip unchanged.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.original), nil }

// UnmarshalText implements encoding.TextUnmarshaler with Parse (loose).
func (v *Version) UnmarshalText(text []byte) error {
	p, err := Parse(string(text))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// IsPrerelease reports whether v has a pre-release part.
func (v Version) IsPrerelease() bool { return v.pre != "" }

// Compare compares precedence as SemVer 2.0.0 §11 defines it and returns -1,
// 0 or +1. Build metadata is ignored, so "1.0.0+a" and "1.0.0+b" compare 0;
// use CompareTotal to order such versions deterministically.
func (v Version) Compare(o Version) int {
	if c := cmpUint(v.major, o.major); c != 0 {
		return c
	}
	if c := cmpUint(v.minor, o.minor); c != 0 {
		return c
	}
	if c := cmpUint(v.patch, o.patch); c != 0 {
		return c
	}
	return comparePre(v.pre, o.pre)
}

// CompareTotal is the total order used by Sort and SortTags. It is Compare,
// then, for versions of equal precedence, the build metadata compared
// byte-wise (no metadata first), then the original strings compared byte-wise
// ("1.2" before "v1.2.0"). It returns 0 only for versions parsed from the same
// string, so sorting by it is deterministic whatever the input order.
func (v Version) CompareTotal(o Version) int {
	if c := v.Compare(o); c != 0 {
		return c
	}
	if c := strings.Compare(v.build, o.build); c != 0 {
		return c
	}
	return strings.Compare(v.original, o.original)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// comparePre compares pre-release strings by SemVer precedence without
// allocating: a release ("") ranks above any pre-release; identifiers are
// compared left to right, numeric ones numerically and below alphanumeric ones;
// a shorter list of equal identifiers ranks first.
func comparePre(a, b string) int {
	if a == b {
		return 0
	}
	if a == "" {
		return 1
	}
	if b == "" {
		return -1
	}
	for {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if c := compareIdent(x, y); c != 0 {
			return c
		}
		switch {
		case a == "" && b == "":
			return 0
		case a == "":
			return -1
		case b == "":
			return 1
		}
	}
}

func compareIdent(x, y string) int {
	xn, yn := isNumeric(x), isNumeric(y)
	switch {
	case xn && yn:
		x, y = trimZeros(x), trimZeros(y)
		if len(x) != len(y) {
			if len(x) < len(y) {
				return -1
			}
			return 1
		}
		return strings.Compare(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return strings.Compare(x, y)
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trimZeros strips leading zeros from a numeric identifier, keeping one digit.
func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// failure is a parse failure before it becomes an error, so bulk parsing
// (SortTags) skips bad tags without allocating.
type failure struct {
	msg string
	pos int // byte offset in the input, -1 when not meaningful
}

func (f failure) err(input, expected string) *ParseError {
	reason := f.msg
	if f.pos >= 0 {
		if f.pos < len(input) {
			reason = fmt.Sprintf("%s at offset %d (%q)", f.msg, f.pos, input[f.pos])
		} else {
			reason = fmt.Sprintf("%s at end of input", f.msg)
		}
	}
	return newParseError(input, expected, ErrInvalidVersion, reason)
}

func fail(msg string, pos int) failure { return failure{msg: msg, pos: pos} }

// parseVersion is the hand-written parser behind Parse and ParseStrict. It
// never allocates: pre-release and build metadata are substrings of s.
func parseVersion(s string, strict bool) (Version, failure) {
	if s == "" {
		return Version{}, fail("empty version", -1)
	}
	i := 0
	if !strict && (s[0] == 'v' || s[0] == 'V') {
		i = 1
	}
	var seg [3]uint64
	n := 0
	for {
		val, next, f := parseNumber(s, i, strict)
		if f.msg != "" {
			return Version{}, f
		}
		seg[n] = val
		n++
		i = next
		if i == len(s) || s[i] != '.' {
			break
		}
		if n == 3 {
			return Version{}, fail("more than three numeric segments", i)
		}
		i++
	}
	if strict && n != 3 {
		return Version{}, fail("expected MAJOR.MINOR.PATCH", i)
	}
	v := Version{major: seg[0], minor: seg[1], patch: seg[2], original: s}
	if i < len(s) && s[i] == '-' {
		start := i + 1
		end := strings.IndexByte(s[start:], '+')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		if f := checkIdents(s, start, end, strict, "pre-release"); f.msg != "" {
			return Version{}, f
		}
		v.pre = s[start:end]
		i = end
	}
	if i < len(s) && s[i] == '+' {
		start := i + 1
		if f := checkIdents(s, start, len(s), false, "build metadata"); f.msg != "" {
			return Version{}, f
		}
		v.build = s[start:]
		i = len(s)
	}
	if i != len(s) {
		return Version{}, fail("unexpected character", i)
	}
	return v, failure{}
}

// parseNumber reads a decimal segment at s[i:].
func parseNumber(s string, i int, strict bool) (uint64, int, failure) {
	start := i
	var val uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if val > (math.MaxUint64-d)/10 {
			return 0, i, fail("number larger than 18446744073709551615", start)
		}
		val = val*10 + d
		i++
	}
	if i == start {
		return 0, i, fail("expected a decimal number", i)
	}
	if strict && i-start > 1 && s[start] == '0' {
		return 0, i, fail("leading zero in numeric segment", start)
	}
	return val, i, failure{}
}

// checkIdents validates dot-separated identifiers of [0-9A-Za-z-] in s[start:end].
// In strict mode numeric identifiers (pre-release only) must not have leading zeros.
func checkIdents(s string, start, end int, strict bool, what string) failure {
	if start == end {
		return fail("empty "+what, start)
	}
	idStart := start
	for i := start; i <= end; i++ {
		if i == end || s[i] == '.' {
			if i == idStart {
				return fail("empty "+what+" identifier", i)
			}
			if strict && i-idStart > 1 && s[idStart] == '0' && isNumeric(s[idStart:i]) {
				return fail("leading zero in numeric "+what+" identifier", idStart)
			}
			idStart = i + 1
			continue
		}
		if !isIdentChar(s[i]) {
			return fail("invalid character in "+what, i)
		}
	}
	return failure{}
}

func isIdentChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-'
}
