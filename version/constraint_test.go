package version_test

import (
	"errors"
	"testing"

	"github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
)

func TestConstraintCheck(t *testing.T) {
	tests := []struct {
		constraint string
		match      []string
		noMatch    []string
	}{
		{">=1.2.0 <2.0.0", []string{"1.2.0", "1.9.9", "v1.5"}, []string{"1.1.9", "2.0.0", "2.0.0-rc.1", "1.5.0-rc.1"}},
		{">=1.2.0, <2.0.0", []string{"1.2.0"}, []string{"2.0.0"}},
		{">= 1.2.0 , < 2.0.0", []string{"1.2.0"}, []string{"2.0.0"}},
		{"^1.2", []string{"1.2.0", "1.99.0"}, []string{"1.1.0", "2.0.0"}},
		{"^1.2.3", []string{"1.2.3", "1.3.0"}, []string{"1.2.2", "2.0.0"}},
		{"^0.2.3", []string{"0.2.3", "0.2.9"}, []string{"0.3.0", "0.2.2"}},
		{"^0.0.3", []string{"0.0.3"}, []string{"0.0.4", "0.0.2"}},
		{"^0.0", []string{"0.0.0", "0.0.9"}, []string{"0.1.0"}},
		{"^0", []string{"0.0.0", "0.9.9"}, []string{"1.0.0"}},
		{"^1", []string{"1.0.0", "1.9.9"}, []string{"2.0.0", "0.9.0"}},
		{"~1.2.3", []string{"1.2.3", "1.2.9"}, []string{"1.3.0", "1.2.2"}},
		{"~1.2", []string{"1.2.0", "1.2.9"}, []string{"1.3.0"}},
		{"~>1.2", []string{"1.2.0"}, []string{"1.3.0"}},
		{"~1", []string{"1.0.0", "1.9.0"}, []string{"2.0.0"}},
		{"1.2.x", []string{"1.2.0", "1.2.99"}, []string{"1.3.0", "1.1.9"}},
		{"1.2.*", []string{"1.2.0"}, []string{"1.3.0"}},
		{"1.X", []string{"1.0.0", "1.9.0"}, []string{"2.0.0"}},
		{"1.2", []string{"1.2.0", "1.2.5"}, []string{"1.3.0"}},
		{"=1.2", []string{"1.2.5"}, []string{"1.3.0"}},
		{"1.2.3", []string{"1.2.3", "v1.2.3", "1.2.3+build"}, []string{"1.2.4", "1.2.3-rc.1"}},
		{"=1.2.3", []string{"1.2.3"}, []string{"1.2.4"}},
		{"==1.2.3", []string{"1.2.3"}, []string{"1.2.4"}},
		{"=1.2.3+meta", []string{"1.2.3", "1.2.3+other"}, []string{"1.2.4"}},
		{"*", []string{"0.0.0", "1.0.0", "999.0.0"}, []string{"1.0.0-rc.1"}},
		{"x", []string{"1.0.0"}, []string{"1.0.0-rc.1"}},
		{"!=1.2.3", []string{"1.2.4", "1.2.2"}, []string{"1.2.3"}},
		{"!=1.2", []string{"1.1.9", "1.3.0"}, []string{"1.2.0", "1.2.9"}},
		{"!=1", []string{"0.9.0", "2.0.0"}, []string{"1.0.0", "1.5.0"}},
		{"!=*", nil, []string{"1.0.0"}},
		{">1.2.3", []string{"1.2.4"}, []string{"1.2.3"}},
		{">1.2", []string{"1.3.0"}, []string{"1.2.9"}},
		{">*", nil, []string{"1.0.0"}},
		{"<1.2", []string{"1.1.9"}, []string{"1.2.0"}},
		{"<*", nil, []string{"0.0.0"}},
		{"<=1.2", []string{"1.2.9"}, []string{"1.3.0"}},
		{"<=1.2.3", []string{"1.2.3"}, []string{"1.2.4"}},
		{"<=*", []string{"1.0.0"}, nil},
		{">=*", []string{"1.0.0"}, nil},
		{">=v1.2", []string{"1.2.0"}, []string{"1.1.0"}},
		{"1.2.3 - 2.3.4", []string{"1.2.3", "2.3.4"}, []string{"1.2.2", "2.3.5"}},
		{"1.2 - 1.4", []string{"1.2.0", "1.4.9"}, []string{"1.1.9", "1.5.0"}},
		{"* - 1.4", []string{"0.0.0", "1.4.9"}, []string{"1.5.0"}},
		{"1.2 - *", []string{"1.2.0", "99.0.0"}, []string{"1.1.0"}},
		{"<1.0.0 || >=2.0.0", []string{"0.9.0", "2.0.0"}, []string{"1.0.0", "1.5.0"}},
		{"^1.2 || ^3.1", []string{"1.2.0", "3.1.0"}, []string{"2.0.0", "3.0.0"}},
		{">=2025.02.01", []string{"2025.02.03"}, []string{"2025.01.31"}},
		// Largest numbers: bumps carry, and no upper bound exists past the top.
		{"^18446744073709551615", []string{"18446744073709551615.5.0"}, []string{"1.0.0"}},
		{"~1.18446744073709551615", []string{"1.18446744073709551615.3"}, []string{"2.0.0"}},
		{">1.18446744073709551615", []string{"2.0.0"}, []string{"1.18446744073709551615.9"}},
		{">18446744073709551615", nil, []string{"18446744073709551615.9.9"}},
		{"!=18446744073709551615", []string{"1.0.0"}, []string{"18446744073709551615.1.0"}},
		{"<=18446744073709551615", []string{"18446744073709551615.9.0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.constraint, func(t *testing.T) {
			g := gomega.NewWithT(t)
			c, err := version.ParseConstraint(tt.constraint)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(c.String()).To(gomega.Equal(tt.constraint))
			canon, err := version.ParseConstraint(c.Canonical())
			g.Expect(err).NotTo(gomega.HaveOccurred(), "canonical %q", c.Canonical())
			g.Expect(canon.Canonical()).To(gomega.Equal(c.Canonical()))
			for _, s := range tt.match {
				g.Expect(c.Check(mustParse(t, s))).To(gomega.BeTrue(), "%s should satisfy %s", s, tt.constraint)
				g.Expect(canon.Check(mustParse(t, s))).To(gomega.BeTrue(), "%s should satisfy canonical %s", s, c.Canonical())
			}
			for _, s := range tt.noMatch {
				g.Expect(c.Check(mustParse(t, s))).To(gomega.BeFalse(), "%s should not satisfy %s", s, tt.constraint)
				g.Expect(canon.Check(mustParse(t, s))).To(gomega.BeFalse(), "%s should not satisfy canonical %s", s, c.Canonical())
			}
		})
	}
}

func TestConstraintCanonical(t *testing.T) {
	tests := map[string]string{
		"^1.2":            ">=1.2.0 <2.0.0",
		"^0.2.3":          ">=0.2.3 <0.3.0",
		"~1.2.3":          ">=1.2.3 <1.3.0",
		"1.2.x":           ">=1.2.0 <1.3.0",
		"*":               "*",
		"!=1.2":           "!=1.2.x",
		"!=1":             "!=1.x",
		">1.2 || <=0.5":   ">=1.3.0 || <0.6.0",
		"1.2 - 1.4":       ">=1.2.0 <1.5.0",
		"1.2.3 - 2.3.4":   ">=1.2.3 <=2.3.4",
		"v1.2.3-rc.01+b":  "=1.2.3-rc.1",
		">*":              "<*",
		"^1.2.3-beta.2":   ">=1.2.3-beta.2 <2.0.0",
		">= 1.0, < 2.0.0": ">=1.0.0 <2.0.0",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			c, err := version.ParseConstraint(in)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(c.Canonical()).To(gomega.Equal(want))
		})
	}
}

func TestConstraintPrereleaseRule(t *testing.T) {
	tests := []struct {
		constraint string
		match      []string
		noMatch    []string
	}{
		{">=1.2.3-rc.1 <2.0.0", []string{"1.2.3-rc.1", "1.2.3-rc.2", "1.2.3", "1.5.0"}, []string{"1.2.4-rc.1", "2.0.0-rc.1", "1.2.3-beta.1"}},
		{"^1.2.3-beta.2", []string{"1.2.3-beta.3", "1.2.3"}, []string{"1.2.3-alpha", "1.3.0-beta.1"}},
		{">=1.0.0", []string{"1.0.0"}, []string{"1.1.0-rc.1"}},
		{"1.2.3-rc.1", []string{"1.2.3-rc.1"}, []string{"1.2.3-rc.2"}},
		// The rule is per alternative: the first opts into 2.0.0 pre-releases only.
		{"2.0.0-rc.1 - 2.0.0 || ^1.0", []string{"2.0.0-rc.2", "1.5.0"}, []string{"1.6.0-rc.1"}},
		{"<2.0.0-rc.1", []string{"1.9.0", "2.0.0-beta"}, []string{"1.9.0-rc.1", "2.0.0-rc.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.constraint, func(t *testing.T) {
			g := gomega.NewWithT(t)
			c, err := version.ParseConstraint(tt.constraint)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			for _, s := range tt.match {
				g.Expect(c.Check(mustParse(t, s))).To(gomega.BeTrue(), "%s should satisfy %s", s, tt.constraint)
			}
			for _, s := range tt.noMatch {
				g.Expect(c.Check(mustParse(t, s))).To(gomega.BeFalse(), "%s should not satisfy %s", s, tt.constraint)
			}
		})
	}
}

func TestParseConstraintErrors(t *testing.T) {
	tests := map[string]string{
		"":              "empty constraint",
		"   ":           "empty constraint",
		"1.2 ||":        "empty alternative",
		"|| 1.2":        "empty alternative",
		">=":            "operator \">=\" without a version",
		">=1.2 <":       "operator \"<\" without a version",
		"abc":           "version \"abc\"",
		">=1.2.3.4":     "more than three numeric segments",
		"1.x.3":         "number after a wildcard",
		"1.x-rc.1":      "wildcard with pre-release",
		"1.x.x.x":       "more than three segments",
		"1.2 -":         "version \"-\"",
		"- 1.2":         "version \"-\"",
		"1.2 - 1.3 - 4": "version \"-\"",
		"=>1.2":         "version \">1.2\"",
		"1.2 | 1.3":     "version \"|\"",
		"1.2 - abc":     "version \"abc\"",
		"abc - 1.2":     "version \"abc\"",
		"~":             "without a version",
	}
	for in, reason := range tests {
		t.Run(in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			c, err := version.ParseConstraint(in)
			g.Expect(err).To(gomega.MatchError(version.ErrInvalidConstraint))
			g.Expect(err.Error()).To(gomega.ContainSubstring(reason))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
			g.Expect(pe.Input).To(gomega.Equal(in))
			g.Expect(pe.Expected).To(gomega.ContainSubstring("||"))
			g.Expect(c.Check(mustParse(t, "1.2.0"))).To(gomega.BeFalse())
		})
	}
}

func TestZeroConstraintMatchesNothing(t *testing.T) {
	g := gomega.NewWithT(t)
	var c version.Constraint
	g.Expect(c.Check(mustParse(t, "1.0.0"))).To(gomega.BeFalse())
	g.Expect(c.String()).To(gomega.BeEmpty())
	g.Expect(c.Canonical()).To(gomega.BeEmpty())
}

func TestConstraintFilter(t *testing.T) {
	g := gomega.NewWithT(t)
	c, err := version.ParseConstraint("^1.0")
	g.Expect(err).NotTo(gomega.HaveOccurred())
	vs := []version.Version{mustParse(t, "2.0.0"), mustParse(t, "1.5.0"), mustParse(t, "1.1.0-rc.1"), mustParse(t, "1.0.0")}
	got := c.Filter(vs)
	g.Expect(originals(got)).To(gomega.Equal([]string{"1.5.0", "1.0.0"}))
}

func originals(vs []version.Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Original()
	}
	return out
}
