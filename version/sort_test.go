package version_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
)

// randomTags returns n tags with many collisions in precedence: duplicates,
// "v" prefixes, zero padding, partial versions, build metadata, pre-releases,
// and junk that is not a version.
func randomTags(r *rand.Rand, n int) []string {
	pres := []string{"", "-rc.1", "-rc.01", "-rc.2", "-alpha", "-alpha.beta", "-0", "-beta.11"}
	builds := []string{"", "", "+b1", "+b2", "+001"}
	tags := make([]string, n)
	for i := range tags {
		switch r.IntN(10) {
		case 0:
			tags[i] = fmt.Sprintf("main-%x", r.Uint32())
		case 1:
			tags[i] = fmt.Sprintf("v%d.%d", r.IntN(4), r.IntN(4))
		case 2:
			tags[i] = fmt.Sprintf("%d.%02d.%02d%s", 2020+r.IntN(4), r.IntN(4), r.IntN(4), pres[r.IntN(len(pres))])
		default:
			prefix := ""
			if r.IntN(2) == 0 {
				prefix = "v"
			}
			tags[i] = fmt.Sprintf("%s%d.%d.%d%s%s", prefix, r.IntN(4), r.IntN(4), r.IntN(4),
				pres[r.IntN(len(pres))], builds[r.IntN(len(builds))])
		}
	}
	return tags
}

func TestSortProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20250203, 1))
	for round := range 50 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			g := gomega.NewWithT(t)
			tags := randomTags(r, 1+r.IntN(300))
			sorted := version.SortTags(tags, version.TagOptions{})

			// Ordered, and never equal under CompareTotal unless identical.
			for i := 1; i < len(sorted); i++ {
				c := sorted[i-1].CompareTotal(sorted[i])
				g.Expect(c).To(gomega.BeNumerically("<=", 0))
				if c == 0 {
					g.Expect(sorted[i-1]).To(gomega.Equal(sorted[i]))
				}
				g.Expect(sorted[i-1].Compare(sorted[i])).To(gomega.BeNumerically("<=", 0))
			}

			// Same as a stable sort, so stability holds.
			stable := slices.Clone(sorted)
			r.Shuffle(len(stable), func(i, j int) { stable[i], stable[j] = stable[j], stable[i] })
			slices.SortStableFunc(stable, version.Version.CompareTotal)
			g.Expect(stable).To(gomega.Equal(sorted))

			// A permuted input sorts the same.
			perm := slices.Clone(tags)
			r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			g.Expect(version.SortTags(perm, version.TagOptions{})).To(gomega.Equal(sorted))

			// Descending is the exact reverse.
			desc := version.SortTags(perm, version.TagOptions{Descending: true})
			slices.Reverse(desc)
			g.Expect(desc).To(gomega.Equal(sorted))

			// Every valid tag is kept exactly once; invalid ones are dropped.
			var valid []string
			for _, tag := range tags {
				if _, err := version.Parse(tag); err == nil {
					valid = append(valid, tag)
				}
			}
			g.Expect(originals(sorted)).To(gomega.ConsistOf(valid))
		})
	}
}

func TestSortTagsOptions(t *testing.T) {
	tags := []string{"v1.10.0", "1.2.0", "1.2.0-rc.1", "v1.2", "latest", "2.0.0", "1.9.9+b", "01.2.3"}
	c, err := version.ParseConstraint("^1.2")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    version.TagOptions
		want []string
	}{
		{"default", version.TagOptions{}, []string{"1.2.0-rc.1", "1.2.0", "v1.2", "01.2.3", "1.9.9+b", "v1.10.0", "2.0.0"}},
		{"constraint", version.TagOptions{Constraint: &c}, []string{"1.2.0", "v1.2", "01.2.3", "1.9.9+b", "v1.10.0"}},
		{"descending", version.TagOptions{Constraint: &c, Descending: true}, []string{"v1.10.0", "1.9.9+b", "01.2.3", "v1.2", "1.2.0"}},
		{"strict", version.TagOptions{Strict: true}, []string{"1.2.0-rc.1", "1.2.0", "1.9.9+b", "2.0.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			g.Expect(originals(version.SortTags(tags, tt.o))).To(gomega.Equal(tt.want))
		})
	}
}

// TestSortTagsAllocatesResultOnly checks that SortTags allocates the result
// and nothing per tag. Parse-once and the O(n log n) comparison count are
// counted in sort_internal_test.go.
func TestSortTagsAllocatesResultOnly(t *testing.T) {
	g := gomega.NewWithT(t)
	tags := randomTags(rand.New(rand.NewPCG(1, 2)), 1000)
	for _, o := range []version.TagOptions{{}, {Descending: true}} {
		allocs := testing.AllocsPerRun(10, func() { version.SortTags(tags, o) })
		g.Expect(allocs).To(gomega.BeNumerically("<=", 1))
	}
}

func TestSortEmpty(t *testing.T) {
	g := gomega.NewWithT(t)
	g.Expect(version.SortTags(nil, version.TagOptions{})).To(gomega.BeEmpty())
	version.Sort(nil)
}
