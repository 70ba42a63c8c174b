package codegen

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// excerptLen is how many bytes of a long differing line a hint shows.
const excerptLen = 72

// firstDiff returns one line locating the first difference between the
// committed and the generated content, or "" when they are equal.
func firstDiff(committed, generated []byte) string {
	switch {
	case string(committed) == string(generated):
		return ""
	case string(committed)+"\n" == string(generated):
		return "the committed file lacks the final newline"
	case string(generated)+"\n" == string(committed):
		return "the committed file ends with a newline the generated one lacks"
	}
	c := strings.Split(string(committed), "\n")
	g := strings.Split(string(generated), "\n")
	for i := 0; ; i++ {
		switch {
		case i >= len(c):
			return fmt.Sprintf("line %d: the committed file ends, generated has %s", i+1, strconv.Quote(excerpt(g[i], 0)))
		case i >= len(g):
			return fmt.Sprintf("line %d: committed has %s, the generated file ends", i+1, strconv.Quote(excerpt(c[i], 0)))
		case c[i] != g[i]:
			col := commonPrefix(c[i], g[i])
			return fmt.Sprintf("line %d column %d: committed %s, generated %s", i+1, col+1,
				strconv.Quote(excerpt(c[i], col)), strconv.Quote(excerpt(g[i], col)))
		}
	}
}

// commonPrefix returns the length in bytes of the longest common prefix of
// a and b that ends on a rune boundary.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	for n > 0 && n < len(a) && !utf8.RuneStart(a[n]) {
		n--
	}
	return n
}

// excerpt returns at most excerptLen bytes of line around byte offset at,
// cut on rune boundaries, with "..." where it was cut.
func excerpt(line string, at int) string {
	if len(line) <= excerptLen {
		return line
	}
	start := max(0, at-excerptLen/3)
	for start > 0 && !utf8.RuneStart(line[start]) {
		start--
	}
	end := min(len(line), start+excerptLen)
	for end < len(line) && !utf8.RuneStart(line[end]) {
		end--
	}
	s := line[start:end]
	if start > 0 {
		s = "..." + s
	}
	if end < len(line) {
		s += "..."
	}
	return s
}
