package archive

import (
	"bufio"
	"fmt"
	"path"
	"strings"
)

// maxPatternSegments bounds the number of '/'-separated parts of one
// pattern, so a hostile ignore file cannot make matching slow.
const maxPatternSegments = 256

// Matcher decides which paths of a directory tree are ignored, with the
// pattern syntax of .gitignore files (see gitignore(5)):
//
//   - blank lines and lines starting with '#' are skipped; "\#" and "\!"
//     escape a leading '#' or '!'; trailing spaces are dropped unless
//     escaped with a backslash;
//   - a leading '!' re-includes what an earlier pattern excluded; the last
//     matching pattern wins;
//   - a trailing '/' matches directories only;
//   - a pattern with a '/' at its start or in its middle is anchored at the
//     root of the tree; otherwise it matches a name at any depth;
//   - '*' matches anything but '/', '?' one character but '/', "[a-z]" and
//     "[!a-z]" (or "[^a-z]") a character class, and '\' escapes the next
//     character;
//   - "**/" at the start matches in all directories, "/**" at the end
//     matches everything inside, "/**/" in the middle zero or more
//     directories.
//
// As with Git, a path inside an ignored directory is ignored, whatever
// later patterns say about it. Patterns are relative to the root of the
// tree and use '/' whatever the operating system. Nested ignore files are
// not read: give all patterns to one Matcher.
//
// A Matcher is immutable and safe for concurrent use. The zero Matcher and a
// nil *Matcher ignore nothing.
type Matcher struct {
	patterns []pattern
}

// pattern is one compiled line.
type pattern struct {
	segments []string // path.Match patterns, "**" for any number of segments
	negate   bool
	dirOnly  bool
	anchored bool
	// trailingAll is true for patterns ending in "/**", whose last "**"
	// matches one or more segments (the inside), never zero.
	trailingAll bool
}

// NewMatcher compiles patterns, one .gitignore line each (a line may not
// contain a newline). It returns an error wrapping ErrInvalidPattern naming
// the first malformed pattern, such as an unterminated "[" class.
func NewMatcher(patterns ...string) (*Matcher, error) {
	m := &Matcher{}
	for _, line := range patterns {
		if strings.ContainsAny(line, "\n\r") {
			return nil, fmt.Errorf("%w %q: contains a line break", ErrInvalidPattern, line)
		}
		p, ok, err := compile(line)
		if err != nil {
			return nil, err
		}
		if ok {
			m.patterns = append(m.patterns, p)
		}
	}
	return m, nil
}

// ParseIgnore compiles the content of a .gitignore-style file (lines
// separated by "\n" or "\r\n"). It returns the same errors as NewMatcher.
func ParseIgnore(content string) (*Matcher, error) {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(content))
	sc.Buffer(make([]byte, 0, 4096), len(content)+1)
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPattern, err)
	}
	return NewMatcher(lines...)
}

// Append returns a Matcher holding m's patterns followed by o's, so o's
// patterns take precedence. Either may be nil.
func (m *Matcher) Append(o *Matcher) *Matcher {
	out := &Matcher{}
	if m != nil {
		out.patterns = append(out.patterns, m.patterns...)
	}
	if o != nil {
		out.patterns = append(out.patterns, o.patterns...)
	}
	return out
}

// Len returns the number of patterns, blank lines and comments excluded.
func (m *Matcher) Len() int {
	if m == nil {
		return 0
	}
	return len(m.patterns)
}

// compile parses one line. ok is false for blank lines and comments.
func compile(line string) (pattern, bool, error) {
	s := trimTrailingSpaces(line)
	if s == "" || strings.HasPrefix(s, "#") {
		return pattern{}, false, nil
	}
	var p pattern
	switch {
	case strings.HasPrefix(s, "!"):
		p.negate = true
		s = s[1:]
	case strings.HasPrefix(s, `\!`), strings.HasPrefix(s, `\#`):
		s = s[1:]
	}
	if strings.HasSuffix(s, "/") && !strings.HasSuffix(s, `\/`) {
		p.dirOnly = true
		s = strings.TrimRight(s, "/")
	}
	if s == "" {
		// "/" or "!" alone match nothing in Git.
		return pattern{}, false, nil
	}
	if strings.HasPrefix(s, "/") {
		p.anchored = true
		s = strings.TrimLeft(s, "/")
	} else if strings.Contains(s, "/") {
		p.anchored = true
	}
	if s == "" {
		return pattern{}, false, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) > maxPatternSegments {
		return pattern{}, false, fmt.Errorf("%w %q: more than %d path segments", ErrInvalidPattern, line, maxPatternSegments)
	}
	for _, part := range parts {
		if part == "" {
			// "a//b" is the same as "a/b".
			continue
		}
		if part == "**" {
			// Collapse "**/**".
			if n := len(p.segments); n > 0 && p.segments[n-1] == "**" {
				continue
			}
			p.segments = append(p.segments, "**")
			continue
		}
		seg := convertClass(part)
		if _, err := path.Match(seg, ""); err != nil {
			return pattern{}, false, fmt.Errorf("%w %q: %w", ErrInvalidPattern, line, err)
		}
		p.segments = append(p.segments, seg)
	}
	if len(p.segments) > 1 && p.segments[len(p.segments)-1] == "**" {
		p.trailingAll = true
	}
	if !p.anchored {
		p.segments = append([]string{"**"}, p.segments...)
	}
	return p, true, nil
}

// trimTrailingSpaces drops unescaped trailing spaces.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") {
		rest := s[:len(s)-1]
		// Count the backslashes before the space.
		n := 0
		for i := len(rest) - 1; i >= 0 && rest[i] == '\\'; i-- {
			n++
		}
		if n%2 == 1 {
			return s
		}
		s = rest
	}
	return s
}

// convertClass turns fnmatch's "[!...]" into path.Match's "[^...]".
func convertClass(seg string) string {
	if !strings.Contains(seg, "[!") {
		return seg
	}
	var b strings.Builder
	escaped := false
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '[' && i+1 < len(seg) && seg[i+1] == '!':
			b.WriteString("[^")
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Match reports whether name is ignored: the last pattern matching name
// or one of its parent directories decides, and a path inside an ignored
// directory is ignored. name is relative to the root of the tree, with '/'
// separators; isDir tells whether name itself is a directory (its parents
// are directories). A leading "./" and trailing '/' are ignored.
func (m *Matcher) Match(name string, isDir bool) bool {
	if m == nil || len(m.patterns) == 0 {
		return false
	}
	name = strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+name), "/"), "/")
	if name == "" {
		return false
	}
	segs := strings.Split(name, "/")
	for i := 1; i < len(segs); i++ {
		if m.matchSegments(segs[:i], true) {
			return true
		}
	}
	return m.matchSegments(segs, isDir)
}

// matchEntry reports whether the entry itself is ignored, assuming its
// parents are not (the walk in Build skips ignored directories).
func (m *Matcher) matchEntry(name string, isDir bool) bool {
	if m == nil || len(m.patterns) == 0 {
		return false
	}
	return m.matchSegments(strings.Split(name, "/"), isDir)
}

// matchSegments applies the patterns in order to one path; the last match
// wins.
func (m *Matcher) matchSegments(segs []string, isDir bool) bool {
	ignored := false
	for i := range m.patterns {
		p := &m.patterns[i]
		if p.negate != ignored {
			// The pattern cannot change the outcome.
			continue
		}
		if p.dirOnly && !isDir {
			continue
		}
		if p.matches(segs) {
			ignored = !p.negate
		}
	}
	return ignored
}

// matches runs a dynamic-programming match of the pattern's segments
// against the path's, in O(len(pattern) * len(path)).
func (p *pattern) matches(segs []string) bool {
	ps := p.segments
	n, k := len(ps), len(segs)
	// reach[j]: the first i pattern segments can match segs[:j].
	reach := make([]bool, k+1)
	next := make([]bool, k+1)
	reach[0] = true
	for i, seg := range ps {
		clear(next)
		last := i == n-1
		if seg == "**" {
			minSkip := 0
			if last && p.trailingAll {
				minSkip = 1
			}
			for j := 0; j <= k; j++ {
				if !reach[j] {
					continue
				}
				for t := j + minSkip; t <= k; t++ {
					next[t] = true
				}
				break // later starting points add nothing new
			}
		} else {
			for j := 0; j < k; j++ {
				if reach[j] {
					if ok, _ := path.Match(seg, segs[j]); ok {
						next[j+1] = true
					}
				}
			}
		}
		reach, next = next, reach
	}
	return reach[k]
}
