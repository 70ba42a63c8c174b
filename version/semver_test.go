package version_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
)

func TestParseLoose(t *testing.T) {
	tests := []struct {
		in                  string
		major, minor, patch uint64
		pre, build          string
		canonical           string
	}{
		{"1.2.3", 1, 2, 3, "", "", "1.2.3"},
		{"v1.2.3", 1, 2, 3, "", "", "1.2.3"},
		{"V1.2.3", 1, 2, 3, "", "", "1.2.3"},
		{"1.2", 1, 2, 0, "", "", "1.2.0"},
		{"v1", 1, 0, 0, "", "", "1.0.0"},
		{"2025.02.03-rc.1", 2025, 2, 3, "rc.1", "", "2025.2.3-rc.1"},
		{"v2025.02.03-rc.01", 2025, 2, 3, "rc.01", "", "2025.2.3-rc.1"},
		{"1.2-rc.1", 1, 2, 0, "rc.1", "", "1.2.0-rc.1"},
		{"1.0.0-alpha+001", 1, 0, 0, "alpha", "001", "1.0.0-alpha+001"},
		{"1.0.0+20130313144700", 1, 0, 0, "", "20130313144700", "1.0.0+20130313144700"},
		{"1.0.0-x-y-z.--", 1, 0, 0, "x-y-z.--", "", "1.0.0-x-y-z.--"},
		{"1.0.0-0A.is.legal", 1, 0, 0, "0A.is.legal", "", "1.0.0-0A.is.legal"},
		{"18446744073709551615.0.0", 18446744073709551615, 0, 0, "", "", "18446744073709551615.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			v, err := version.Parse(tt.in)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(v.Major()).To(gomega.Equal(tt.major))
			g.Expect(v.Minor()).To(gomega.Equal(tt.minor))
			g.Expect(v.Patch()).To(gomega.Equal(tt.patch))
			g.Expect(v.Prerelease()).To(gomega.Equal(tt.pre))
			g.Expect(v.IsPrerelease()).To(gomega.Equal(tt.pre != ""))
			g.Expect(v.Metadata()).To(gomega.Equal(tt.build))
			g.Expect(v.Original()).To(gomega.Equal(tt.in))
			g.Expect(v.String()).To(gomega.Equal(tt.canonical))

			// The canonical form is strict SemVer and means the same.
			s, err := version.ParseStrict(v.String())
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(s.Compare(v)).To(gomega.Equal(0))
			g.Expect(s.Metadata()).To(gomega.Equal(v.Metadata()))
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		strict bool
		reason string
	}{
		{"", false, "empty version"},
		{"v", false, "expected a decimal number at end of input"},
		{"1.2.3.4", false, "more than three numeric segments"},
		{"1..2", false, "expected a decimal number"},
		{"1.2.", false, "expected a decimal number at end of input"},
		{" 1.2.3", false, "expected a decimal number"},
		{"1.2.3 ", false, "unexpected character"},
		{"1.2.3-", false, "empty pre-release"},
		{"1.2.3-rc..1", false, "empty pre-release identifier"},
		{"1.2.3-rc_1", false, "invalid character in pre-release"},
		{"1.2.3+", false, "empty build metadata"},
		{"1.2.3+a+b", false, "invalid character in build metadata"},
		{"18446744073709551616.0.0", false, "number larger than"},
		{"latest", false, "expected a decimal number"},
		{"main-abc", false, "expected a decimal number"},
		{"v1.2.3", true, "expected a decimal number"},
		{"1.2", true, "expected MAJOR.MINOR.PATCH"},
		{"01.2.3", true, "leading zero in numeric segment"},
		{"1.02.3", true, "leading zero in numeric segment"},
		{"1.2.3-rc.01", true, "leading zero in numeric pre-release identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			var err error
			if tt.strict {
				_, err = version.ParseStrict(tt.in)
			} else {
				_, err = version.Parse(tt.in)
			}
			g.Expect(err).To(gomega.MatchError(version.ErrInvalidVersion))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
			g.Expect(pe.Input).To(gomega.Equal(tt.in))
			g.Expect(pe.Expected).To(gomega.ContainSubstring("MAJOR"))
			g.Expect(err.Error()).To(gomega.ContainSubstring(tt.reason))
		})
	}
}

func TestTryParse(t *testing.T) {
	g := gomega.NewWithT(t)
	v, ok := version.TryParse("v1.2")
	g.Expect(ok).To(gomega.BeTrue())
	g.Expect(v.String()).To(gomega.Equal("1.2.0"))
	_, ok = version.TryParse("main-abc")
	g.Expect(ok).To(gomega.BeFalse())
	g.Expect(testing.AllocsPerRun(100, func() { version.TryParse("not-a-version") })).To(gomega.BeZero())
}

func TestParseStrictAcceptsBuildLeadingZeros(t *testing.T) {
	g := gomega.NewWithT(t)
	v, err := version.ParseStrict("1.0.0-alpha.1+001.0002")
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(v.Metadata()).To(gomega.Equal("001.0002"))
}

func TestParseErrorTruncatesLongInput(t *testing.T) {
	g := gomega.NewWithT(t)
	long := "1.2.3-" + strings.Repeat("a", 1000) + "!"
	_, err := version.Parse(long)
	var pe *version.ParseError
	g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
	g.Expect(pe.Input).To(gomega.Equal(long))
	g.Expect(len(err.Error())).To(gomega.BeNumerically("<", 500))
}

// TestComparePrecedence checks SemVer 2.0.0 §11: each version is below the next.
func TestComparePrecedence(t *testing.T) {
	ordered := []string{
		"0.0.0-0", "0.0.0", "0.0.1", "0.1.0",
		"1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-a", "1.0.0-alpha",
		"1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
		"1.2.3", "1.10.0", "2.0.0", "10.0.0", "18446744073709551615.0.0",
	}
	for i := range len(ordered) - 1 {
		t.Run(ordered[i]+"<"+ordered[i+1], func(t *testing.T) {
			g := gomega.NewWithT(t)
			a, b := mustParse(t, ordered[i]), mustParse(t, ordered[i+1])
			g.Expect(a.Compare(b)).To(gomega.Equal(-1))
			g.Expect(b.Compare(a)).To(gomega.Equal(1))
			g.Expect(a.Compare(a)).To(gomega.Equal(0))
		})
	}
}

func TestCompareEqualPrecedence(t *testing.T) {
	tests := [][2]string{
		{"1.2.3", "v1.2.3"},
		{"1.2", "1.2.0"},
		{"2025.02.03", "2025.2.3"},
		{"1.0.0+a", "1.0.0+b"},
		{"1.0.0-rc.01", "1.0.0-rc.1"},
	}
	for _, tt := range tests {
		t.Run(tt[0]+"="+tt[1], func(t *testing.T) {
			g := gomega.NewWithT(t)
			a, b := mustParse(t, tt[0]), mustParse(t, tt[1])
			g.Expect(a.Compare(b)).To(gomega.Equal(0))
			// CompareTotal still tells them apart, antisymmetrically.
			g.Expect(a.CompareTotal(b)).NotTo(gomega.Equal(0))
			g.Expect(a.CompareTotal(b)).To(gomega.Equal(-b.CompareTotal(a)))
		})
	}
}

func TestCompareTotalTieBreak(t *testing.T) {
	g := gomega.NewWithT(t)
	// Build metadata first (none first), then the original string.
	g.Expect(mustParse(t, "1.0.0").CompareTotal(mustParse(t, "1.0.0+a"))).To(gomega.Equal(-1))
	g.Expect(mustParse(t, "1.0.0+a").CompareTotal(mustParse(t, "1.0.0+b"))).To(gomega.Equal(-1))
	g.Expect(mustParse(t, "1.0.0+b").CompareTotal(mustParse(t, "v1.0.0+a"))).To(gomega.Equal(1))
	g.Expect(mustParse(t, "1.0").CompareTotal(mustParse(t, "v1.0.0"))).To(gomega.Equal(-1))
	g.Expect(mustParse(t, "v1.0.0").CompareTotal(mustParse(t, "v1.0.0"))).To(gomega.Equal(0))
}

func TestVersionText(t *testing.T) {
	g := gomega.NewWithT(t)
	type doc struct {
		Tag version.Version `json:"tag"`
	}
	b, err := json.Marshal(doc{Tag: mustParse(t, "v2025.02.03-rc.1")})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(string(b)).To(gomega.Equal(`{"tag":"v2025.02.03-rc.1"}`))

	var d doc
	g.Expect(json.Unmarshal(b, &d)).To(gomega.Succeed())
	g.Expect(d.Tag.Original()).To(gomega.Equal("v2025.02.03-rc.1"))

	err = json.Unmarshal([]byte(`{"tag":"nope"}`), &d)
	g.Expect(err).To(gomega.MatchError(version.ErrInvalidVersion))
}

func mustParse(t testing.TB, s string) version.Version {
	t.Helper()
	v, err := version.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}
