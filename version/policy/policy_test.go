package policy_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp/syntax"
	"slices"
	"testing"

	"github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
	"github.com/sluice-dev/sluice/version/policy"
)

func TestLatest(t *testing.T) {
	tags := []string{
		"v1.0.0", "v1.2.0", "1.2.3", "v1.10.0", "2.0.0-rc.1", "2.0.0", "latest",
		"main-0a1b2c3-1718000000", "main-ffee001-1718000300", "main-abc1234-999999999",
		"main-xyz-1718000400", "release-20250203", "release-20241231", "0.9", "10", "9", "-3.5", "007.50",
	}
	tests := []struct {
		name string
		o    policy.Options
		want string
	}{
		// Loose parsing reads the build number "10" as 10.0.0.
		{"zero value is highest release", policy.Options{}, "10"},
		{"zero value with a pattern", policy.Options{Pattern: `^v?\d+\.\d+\.\d+`}, "2.0.0"},
		{"semver range", policy.Options{Range: "^1.0"}, "v1.10.0"},
		{"semver range with pre-releases", policy.Options{Range: ">=2.0.0-rc.0 <3"}, "2.0.0"},
		{"semver pre-release only", policy.Options{Range: "2.0.0-rc.1"}, "2.0.0-rc.1"},
		{"semver tilde", policy.Options{Range: "~1.2"}, "1.2.3"},
		{"alphabetical asc", policy.Options{Kind: policy.Alphabetical}, "v1.2.0"},
		{"alphabetical desc", policy.Options{Kind: policy.Alphabetical, Order: policy.Descending}, "-3.5"},
		{"numerical asc", policy.Options{Kind: policy.Numerical}, "10"},
		{"numerical desc", policy.Options{Kind: policy.Numerical, Order: policy.Descending}, "-3.5"},
		{
			"numerical timestamp extract",
			policy.Options{Kind: policy.Numerical, Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)`, Extract: "$ts"},
			"main-ffee001-1718000300",
		},
		{
			"numerical timestamp extract braces",
			policy.Options{Kind: policy.Numerical, Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, Extract: "${ts}"},
			"main-ffee001-1718000300",
		},
		{
			"numbered group, oldest first",
			policy.Options{Kind: policy.Numerical, Order: policy.Descending, Pattern: `^main-[a-f0-9]+-([0-9]+)$`, Extract: "$1"},
			"main-abc1234-999999999",
		},
		{
			"alphabetical with filter only",
			policy.Options{Kind: policy.Alphabetical, Pattern: `^release-`},
			"release-20250203",
		},
		{
			"semver with extract",
			policy.Options{Range: "<2", Pattern: `^v?(?P<v>[0-9.]+)$`, Extract: "$v"},
			"v1.10.0",
		},
		{
			"literal dollar in template",
			policy.Options{Kind: policy.Alphabetical, Pattern: `^release-(?P<d>\d+)$`, Extract: "$$${d}"},
			"release-20250203",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			p, err := policy.New(tt.o)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(p.Options()).To(gomega.Equal(tt.o))
			got, err := p.Latest(tags)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(got).To(gomega.Equal(tt.want))
		})
	}
}

func TestLatestTieBreakIsOrderIndependent(t *testing.T) {
	tests := []struct {
		name string
		o    policy.Options
		tags []string
		want string
	}{
		// CompareTotal: build metadata first, then spelling.
		{"semver equal precedence", policy.Options{}, []string{"1.0.0", "v1.0.0", "1.0", "1.0.0+b"}, "1.0.0+b"},
		{"semver equal but for spelling", policy.Options{}, []string{"1.0.0", "v1.0.0", "1.0", "v1.0"}, "v1.0.0"},
		{
			"semver equal extracted values",
			policy.Options{Pattern: `^(?:rel|app)-(?P<v>.+)$`, Extract: "$v"},
			[]string{"app-1.2.0", "rel-1.2.0", "app-1.1.0"},
			"rel-1.2.0",
		},
		{"numerical equal values", policy.Options{Kind: policy.Numerical}, []string{"7.5", "007.50", "07.5"}, "7.5"},
		{"numerical equal values, descending", policy.Options{Kind: policy.Numerical, Order: policy.Descending}, []string{"7.5", "007.50", "07.5", "8"}, "7.5"},
		{
			"alphabetical equal extracted values",
			policy.Options{Kind: policy.Alphabetical, Pattern: `-(?P<d>\d+)$`, Extract: "$d"},
			[]string{"a-20250203", "c-20250203", "b-20250203", "z-20241231"},
			"c-20250203",
		},
		{
			"alphabetical equal extracted values, descending",
			policy.Options{Kind: policy.Alphabetical, Order: policy.Descending, Pattern: `-(?P<d>\d+)$`, Extract: "$d"},
			[]string{"a-20241231", "c-20241231", "b-20241231", "z-20250203"},
			"c-20241231",
		},
		{"duplicate tags", policy.Options{Kind: policy.Alphabetical}, []string{"b", "a", "b"}, "b"},
		{"negative zero", policy.Options{Kind: policy.Numerical}, []string{"-0", "0", "-0.0"}, "0"},
		{
			"equal extracted values",
			policy.Options{Kind: policy.Numerical, Pattern: `-(?P<n>\d+)$`, Extract: "$n"},
			[]string{"a-5", "c-5", "b-5", "z-4"},
			"c-5",
		},
	}
	r := rand.New(rand.NewPCG(7, 11))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			p, err := policy.New(tt.o)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			for range 20 {
				tags := slices.Clone(tt.tags)
				r.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
				got, err := p.Latest(tags)
				g.Expect(err).NotTo(gomega.HaveOccurred())
				g.Expect(got).To(gomega.Equal(tt.want), "tags %v", tags)
			}
		})
	}
}

// TestLatestAgreesWithSortTags pins the tie-break between versions equal but
// for build metadata or spelling: a semver policy picks the last tag of
// version.SortTags in ascending order, the first in descending order.
func TestLatestAgreesWithSortTags(t *testing.T) {
	tests := []struct {
		name string
		rng  string
		tags []string
		want string
	}{
		{"build metadata wins over spelling", "", []string{"1.0.0+b", "v1.0.0+a"}, "1.0.0+b"},
		{"metadata before none", "", []string{"v1.0.0", "1.0.0+001"}, "1.0.0+001"},
		{"spelling when metadata is equal", "", []string{"1.0.0+b", "v1.0.0+a", "v1.0.0+b", "01.0.0+b"}, "v1.0.0+b"},
		{"spelling only", "", []string{"1.0", "1.0.0", "v1.0", "V1.0.0", "1"}, "v1.0"},
		{"equal pre-releases", ">=1.0.0-0", []string{"1.0.0-rc.1+z", "1.0.0-rc.01+a", "v1.0.0-rc.1"}, "1.0.0-rc.1+z"},
		{"within a range", "~1.2", []string{"1.2.3+b", "v1.2.3+a", "1.3.0", "1.2.3"}, "1.2.3+b"},
	}
	r := rand.New(rand.NewPCG(5, 8))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			p, err := policy.New(policy.Options{Range: tt.rng})
			g.Expect(err).NotTo(gomega.HaveOccurred())
			c := mustConstraint(t, tt.rng)
			for range 10 {
				tags := slices.Clone(tt.tags)
				r.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
				got, err := p.Latest(tags)
				g.Expect(err).NotTo(gomega.HaveOccurred())
				g.Expect(got).To(gomega.Equal(tt.want), "tags %v", tags)

				asc := version.SortTags(tags, version.TagOptions{Constraint: &c})
				g.Expect(asc[len(asc)-1].Original()).To(gomega.Equal(tt.want), "tags %v", tags)
				desc := version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true})
				g.Expect(desc[0].Original()).To(gomega.Equal(tt.want), "tags %v", tags)
			}
		})
	}
}

// TestLatestIsLastOfSortTags is the property behind the table above, over
// random tag lists full of precedence ties and random ranges.
func TestLatestIsLastOfSortTags(t *testing.T) {
	ranges := []string{"", "*", "^1.2", "~0.1", ">=1.0.0-0 <3", "1.x || >=2020.0.0", ">=2.0.0-rc.0", "<0.0.0"}
	r := rand.New(rand.NewPCG(20251202, 3))
	for round := range 300 {
		rng := ranges[round%len(ranges)]
		tags := semverTags(r, r.IntN(60))
		t.Run(fmt.Sprintf("%d/%q", round, rng), func(t *testing.T) {
			g := gomega.NewWithT(t)
			p, err := policy.New(policy.Options{Range: rng})
			g.Expect(err).NotTo(gomega.HaveOccurred())
			c := mustConstraint(t, rng)
			asc := version.SortTags(tags, version.TagOptions{Constraint: &c})
			desc := version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true})

			got, err := p.Latest(tags)
			if len(asc) == 0 {
				g.Expect(err).To(gomega.MatchError(policy.ErrNoMatch), "tags %q", tags)
				return
			}
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(got).To(gomega.Equal(asc[len(asc)-1].Original()), "tags %q", tags)
			g.Expect(got).To(gomega.Equal(desc[0].Original()), "tags %q", tags)
		})
	}
}

// semverTags returns n tags with many ties in precedence: duplicates, "v"
// prefixes, partial versions, zero padding, equal pre-releases spelled
// differently, build metadata, bare numbers and tags that are not versions.
func semverTags(r *rand.Rand, n int) []string {
	prefixes := []string{"", "", "v", "V"}
	pres := []string{"", "", "", "-rc.1", "-rc.01", "-rc.2", "-alpha", "-0"}
	builds := []string{"", "", "+a", "+b", "+001", "+1"}
	tags := make([]string, n)
	for i := range tags {
		prefix := prefixes[r.IntN(len(prefixes))]
		switch r.IntN(10) {
		case 0:
			tags[i] = fmt.Sprintf("main-%07x", r.Uint32()&0xfffffff)
		case 1:
			tags[i] = fmt.Sprint(r.IntN(4))
		case 2:
			tags[i] = fmt.Sprintf("%s%d.%d", prefix, r.IntN(3), r.IntN(3))
		case 3:
			tags[i] = fmt.Sprintf("%d.%02d.%02d%s", 2020+r.IntN(3), r.IntN(3), r.IntN(3), pres[r.IntN(len(pres))])
		case 4:
			if i > 0 {
				tags[i] = tags[r.IntN(i)]
				continue
			}
			fallthrough
		default:
			tags[i] = fmt.Sprintf("%s%d.%d.%d%s%s", prefix, r.IntN(3), r.IntN(3), r.IntN(3),
				pres[r.IntN(len(pres))], builds[r.IntN(len(builds))])
		}
	}
	return tags
}

// mustConstraint parses a policy Range as policy.New does ("" is "*").
func mustConstraint(t *testing.T, rng string) version.Constraint {
	t.Helper()
	if rng == "" {
		rng = "*"
	}
	c, err := version.ParseConstraint(rng)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNumericalIsExact(t *testing.T) {
	g := gomega.NewWithT(t)
	// These differ beyond float64 precision.
	p, err := policy.New(policy.Options{Kind: policy.Numerical})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	got, err := p.Latest([]string{"20250203150405000001", "20250203150405000000", "1e30", "Inf", "NaN", "0x10", "1.", ".5"})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(got).To(gomega.Equal("20250203150405000001"))

	for _, tt := range []struct{ a, b string }{
		{"1", "2"}, {"-2", "-1"}, {"-1", "0"}, {"0.25", "0.3"}, {"0.3", "0.31"}, {"9", "10"}, {"-10", "-9.5"}, {"+1", "1.5"},
	} {
		got, err := p.Latest([]string{tt.b, tt.a})
		g.Expect(err).NotTo(gomega.HaveOccurred())
		g.Expect(got).To(gomega.Equal(tt.b), "%s < %s", tt.a, tt.b)
	}
}

func TestLatestNoMatch(t *testing.T) {
	tests := []struct {
		name string
		o    policy.Options
		tags []string
	}{
		{"empty list", policy.Options{}, nil},
		{"no semver", policy.Options{}, []string{"latest", "main"}},
		{"only pre-releases", policy.Options{}, []string{"1.0.0-rc.1"}},
		{"outside range", policy.Options{Range: "^2"}, []string{"1.0.0", "3.0.0"}},
		{"pattern filters all", policy.Options{Kind: policy.Alphabetical, Pattern: "^nope"}, []string{"a", "b"}},
		{"no numbers", policy.Options{Kind: policy.Numerical}, []string{"a", "1e5", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			p, err := policy.New(tt.o)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			_, err = p.Latest(tt.tags)
			g.Expect(err).To(gomega.MatchError(policy.ErrNoMatch))
			g.Expect(err.Error()).To(gomega.ContainSubstring(fmt.Sprintf("latest of %d tags by %s", len(tt.tags), p)))
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name   string
		o      policy.Options
		is     error
		reason string
	}{
		{"unknown kind", policy.Options{Kind: 7}, nil, "unknown kind Kind(7)"},
		{"unknown order", policy.Options{Kind: policy.Numerical, Order: 3}, nil, "unknown order Order(3)"},
		{"range with alphabetical", policy.Options{Kind: policy.Alphabetical, Range: "^1"}, nil, "only for the semver kind"},
		{"descending semver", policy.Options{Order: policy.Descending}, nil, "only for the alphabetical and numerical kinds"},
		{"extract without pattern", policy.Options{Kind: policy.Numerical, Extract: "$ts"}, nil, "needs a pattern"},
		{"bad range", policy.Options{Range: ">=x.y"}, version.ErrInvalidConstraint, "range: parse"},
		{"bad pattern", policy.Options{Kind: policy.Numerical, Pattern: "("}, policy.ErrInvalidPattern, "compile tag pattern"},
		{"missing named group", policy.Options{Kind: policy.Numerical, Pattern: `^main-(?P<ts>\d+)$`, Extract: "$tss"}, policy.ErrMissingGroup, `no group "tss"`},
		{"missing braced group", policy.Options{Kind: policy.Numerical, Pattern: `^main-(?P<ts>\d+)$`, Extract: "${time}"}, policy.ErrMissingGroup, `no group "time"`},
		{"missing numbered group", policy.Options{Kind: policy.Numerical, Pattern: `^main-(\d+)$`, Extract: "$2"}, policy.ErrMissingGroup, `no group "2"`},
		{"name glued to number", policy.Options{Kind: policy.Numerical, Pattern: `^main-(\d+)$`, Extract: "$1x"}, policy.ErrMissingGroup, `no group "1x"`},
		{"leading zero is a name", policy.Options{Kind: policy.Numerical, Pattern: `^main-(\d+)$`, Extract: "$01"}, policy.ErrMissingGroup, `no group "01"`},
		{"no groups at all", policy.Options{Kind: policy.Numerical, Pattern: `^main`, Extract: "$ts"}, policy.ErrMissingGroup, `no group "ts"`},
		{"dollar at end", policy.Options{Kind: policy.Numerical, Pattern: `(\d+)`, Extract: "$1$"}, nil, "'$' at the end"},
		{"dollar without name", policy.Options{Kind: policy.Numerical, Pattern: `(\d+)`, Extract: "$-"}, nil, "not followed by a group name"},
		{"unclosed brace", policy.Options{Kind: policy.Numerical, Pattern: `(?P<ts>\d+)`, Extract: "${ts"}, nil, "unclosed"},
		{"empty brace", policy.Options{Kind: policy.Numerical, Pattern: `(?P<ts>\d+)`, Extract: "${}"}, nil, "not followed by a group name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			p, err := policy.New(tt.o)
			g.Expect(p).To(gomega.BeNil())
			g.Expect(err).To(gomega.MatchError(policy.ErrInvalidPolicy))
			if tt.is != nil {
				g.Expect(err).To(gomega.MatchError(tt.is))
			}
			g.Expect(err.Error()).To(gomega.HavePrefix("new policy: invalid image policy: "))
			g.Expect(err.Error()).To(gomega.ContainSubstring(tt.reason))
		})
	}
}

func TestNewErrorTypes(t *testing.T) {
	g := gomega.NewWithT(t)

	_, err := policy.New(policy.Options{Kind: policy.Alphabetical, Pattern: "a(b"})
	var pe *policy.PatternError
	g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
	g.Expect(pe.Pattern).To(gomega.Equal("a(b"))
	var se *syntax.Error
	g.Expect(errors.As(err, &se)).To(gomega.BeTrue())
	g.Expect(se.Code).To(gomega.Equal(syntax.ErrMissingParen))

	_, err = policy.New(policy.Options{Kind: policy.Numerical, Pattern: `(?P<ts>\d+)`, Extract: "v$tss"})
	var mg *policy.MissingGroupError
	g.Expect(errors.As(err, &mg)).To(gomega.BeTrue())
	g.Expect(*mg).To(gomega.Equal(policy.MissingGroupError{Group: "tss", Extract: "v$tss", Pattern: `(?P<ts>\d+)`}))

	_, err = policy.New(policy.Options{Range: "nope"})
	var vpe *version.ParseError
	g.Expect(errors.As(err, &vpe)).To(gomega.BeTrue())
	g.Expect(vpe.Input).To(gomega.Equal("nope"))
}

func TestStrings(t *testing.T) {
	g := gomega.NewWithT(t)
	g.Expect(policy.SemVer.String()).To(gomega.Equal("semver"))
	g.Expect(policy.Alphabetical.String()).To(gomega.Equal("alphabetical"))
	g.Expect(policy.Numerical.String()).To(gomega.Equal("numerical"))
	g.Expect(policy.Ascending.String()).To(gomega.Equal("asc"))
	g.Expect(policy.Descending.String()).To(gomega.Equal("desc"))

	p, err := policy.New(policy.Options{})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(p.String()).To(gomega.Equal(`semver "*"`))
	p, err = policy.New(policy.Options{Kind: policy.Numerical, Order: policy.Descending, Pattern: `^main-(?P<ts>\d+)$`, Extract: "$ts"})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(p.String()).To(gomega.Equal(`numerical desc, pattern "^main-(?P<ts>\\d+)$", extract "$ts"`))
}

func TestConcurrentLatest(t *testing.T) {
	g := gomega.NewWithT(t)
	p, err := policy.New(policy.Options{Kind: policy.Numerical, Pattern: `-(?P<n>\d+)$`, Extract: "$n"})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	tags := []string{"a-1", "a-3", "a-2"}
	done := make(chan string)
	for range 8 {
		go func() {
			got, _ := p.Latest(tags)
			done <- got
		}()
	}
	for range 8 {
		g.Expect(<-done).To(gomega.Equal("a-3"))
	}
}
