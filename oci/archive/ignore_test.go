package archive

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
)

func TestMatcher(t *testing.T) {
	type check struct {
		path  string
		dir   bool
		match bool
	}
	tests := []struct {
		name     string
		patterns []string
		checks   []check
	}{
		{"basename at any depth", []string{"*.log"}, []check{
			{"a.log", false, true}, {"x/y/a.log", false, true}, {"a.logx", false, false}, {"log", false, false},
		}},
		{"comments and blanks", []string{"# a.txt", "", "   ", `\#b.txt`}, []check{
			{"# a.txt", false, false}, {"a.txt", false, false}, {"#b.txt", false, true},
		}},
		{"negation, last match wins", []string{"*.yaml", "!keep.yaml"}, []check{
			{"a.yaml", false, true}, {"keep.yaml", false, false}, {"d/keep.yaml", false, false},
		}},
		{"escaped bang", []string{`\!x`}, []check{{"!x", false, true}, {"x", false, false}}},
		{"directory only", []string{"build/"}, []check{
			{"build", true, true}, {"build", false, false}, {"src/build", true, true}, {"build/a.go", false, true},
		}},
		{"anchored by leading slash", []string{"/root.txt"}, []check{
			{"root.txt", false, true}, {"sub/root.txt", false, false},
		}},
		{"anchored by middle slash", []string{"docs/*.md"}, []check{
			{"docs/a.md", false, true}, {"x/docs/a.md", false, false}, {"docs/sub/a.md", false, false},
		}},
		{"leading double star", []string{"**/tmp"}, []check{
			{"tmp", true, true}, {"a/b/tmp", true, true}, {"a/tmpx", true, false},
		}},
		{"trailing double star matches the inside only", []string{"vendor/**", "!vendor/keep"}, []check{
			{"vendor", true, false}, {"vendor/x", false, true}, {"vendor/keep", false, false}, {"vendor/a/b", false, true},
		}},
		{"middle double star", []string{"a/**/b"}, []check{
			{"a/b", false, true}, {"a/x/b", false, true}, {"a/x/y/b", false, true}, {"a/x/c", false, false},
		}},
		{"cannot re-include inside an ignored directory", []string{"dist", "!dist/keep"}, []check{
			{"dist/keep", false, true}, {"dist", true, true},
		}},
		{"classes", []string{"file[0-9].txt", "[!a]z"}, []check{
			{"file1.txt", false, true}, {"filex.txt", false, false}, {"bz", false, true}, {"az", false, false},
		}},
		{"question mark", []string{"?.c"}, []check{{"a.c", false, true}, {"ab.c", false, false}}},
		{"escaped trailing space", []string{`a\ `, "b  "}, []check{
			{"a ", false, true}, {"a", false, false}, {"b", false, true},
		}},
		{"star does not cross slash", []string{"/a*b"}, []check{{"axb", false, true}, {"a/b", false, false}}},
		{"leading ./ and trailing slash of paths", []string{"x"}, []check{{"./x", false, true}, {"x/", true, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			m, err := NewMatcher(tt.patterns...)
			g.Expect(err).NotTo(HaveOccurred())
			for _, c := range tt.checks {
				g.Expect(m.Match(c.path, c.dir)).To(Equal(c.match), "path %q dir=%v", c.path, c.dir)
			}
		})
	}
}

func TestParseIgnore(t *testing.T) {
	g := NewWithT(t)
	m, err := ParseIgnore("# comment\r\n*.tmp\r\n\r\n!a.tmp\n")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Len()).To(Equal(2))
	g.Expect(m.Match("b.tmp", false)).To(BeTrue())
	g.Expect(m.Match("a.tmp", false)).To(BeFalse())
}

func TestNilMatcherIgnoresNothing(t *testing.T) {
	g := NewWithT(t)
	var m *Matcher
	g.Expect(m.Match("a", false)).To(BeFalse())
	g.Expect(m.Len()).To(Equal(0))
	g.Expect(m.Append(nil).Len()).To(Equal(0))
}

func TestNewMatcherInvalid(t *testing.T) {
	for _, p := range []string{"[a-", "a\nb", "x/[", `[\`} {
		t.Run(p, func(t *testing.T) {
			g := NewWithT(t)
			_, err := NewMatcher(p)
			g.Expect(errors.Is(err, ErrInvalidPattern)).To(BeTrue(), "%v", err)
		})
	}
}
