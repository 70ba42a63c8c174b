package version

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/onsi/gomega"
)

// shapes returns tag lists of length n in the shapes that make sorts degrade:
// random with many ties in precedence, already sorted, reversed, organ pipe,
// one precedence spelled n ways, and one tag repeated.
func shapes(n int) map[string][]string {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	random := make([]string, n)
	for i := range random {
		prefix := ""
		if r.IntN(2) == 0 {
			prefix = "v"
		}
		switch r.IntN(8) {
		case 0:
			random[i] = fmt.Sprintf("main-%x", r.Uint32())
		case 1:
			random[i] = fmt.Sprintf("%s%d.%d.%d-rc.%d", prefix, r.IntN(3), r.IntN(3), r.IntN(3), r.IntN(3))
		case 2:
			random[i] = fmt.Sprintf("%s%d.%d.%d+b%d", prefix, r.IntN(3), r.IntN(3), r.IntN(3), r.IntN(3))
		default:
			random[i] = fmt.Sprintf("%s%d.%02d.%d", prefix, r.IntN(3), r.IntN(3), r.IntN(3))
		}
	}
	ascending := make([]string, n)
	for i := range ascending {
		ascending[i] = fmt.Sprintf("%d.%d.0", i/100, i%100)
	}
	descending := slices.Clone(ascending)
	slices.Reverse(descending)
	organ := make([]string, n)
	for i := range organ {
		organ[i] = fmt.Sprintf("1.%d.0", min(i, n-1-i))
	}
	spellings := make([]string, n)
	for i := range spellings {
		spellings[i] = fmt.Sprintf("v1.0.0+%d", i)
	}
	same := make([]string, n)
	for i := range same {
		same[i] = "v1.2.3"
	}
	return map[string][]string{
		"random": random, "ascending": ascending, "descending": descending,
		"organ pipe": organ, "equal precedence": spellings, "one tag": same,
	}
}

func TestSortTagsParsesEachTagOnce(t *testing.T) {
	all, err := ParseConstraint(">=1.0.0-0")
	if err != nil {
		t.Fatal(err)
	}
	options := map[string]TagOptions{
		"default":    {},
		"strict":     {Strict: true},
		"constraint": {Constraint: &all},
		"descending": {Constraint: &all, Descending: true},
	}
	for shape, tags := range shapes(2000) {
		for name, o := range options {
			t.Run(shape+"/"+name, func(t *testing.T) {
				g := gomega.NewWithT(t)
				parsed := map[string]int{}
				calls := 0
				sorting := false
				parse := func(s string, strict bool) (Version, failure) {
					if sorting {
						t.Errorf("tag %q parsed while sorting", s)
					}
					calls++
					parsed[s]++
					g.Expect(strict).To(gomega.Equal(o.Strict))
					return parseVersion(s, strict)
				}
				cmp := func(a, b Version) int {
					sorting = true
					return a.CompareTotal(b)
				}
				got := sortTags(tags, o, parse, cmp)

				g.Expect(calls).To(gomega.Equal(len(tags)))
				want := map[string]int{}
				for _, tag := range tags {
					want[tag]++
				}
				g.Expect(parsed).To(gomega.Equal(want))
				// The hook is the code path SortTags runs.
				g.Expect(got).To(gomega.Equal(SortTags(tags, o)))
			})
		}
	}
}

// TestSortTagsComparisonsAreNLogN counts the comparisons SortTags makes and
// checks them against 3·n·log2(n), n being the number of tags that are
// versions, for every shape and several sizes. pdqsort is deterministic; the
// worst shape measured needs 1.9·n·log2(n) and sorted or constant input about
// n. An insertion sort would need about n²/4 on random input, 4.2·10⁶ against
// a bound of 1.5·10⁵ at n = 4096.
func TestSortTagsComparisonsAreNLogN(t *testing.T) {
	const c = 3.0
	sizes := []int{16, 256, 4096, 32768}
	if testing.Short() {
		sizes = sizes[:3]
	}
	for _, n := range sizes {
		for shape, tags := range shapes(n) {
			for _, desc := range []bool{false, true} {
				t.Run(fmt.Sprintf("n=%d/%s/descending=%t", n, shape, desc), func(t *testing.T) {
					g := gomega.NewWithT(t)
					comparisons := 0
					cmp := func(a, b Version) int {
						comparisons++
						return a.CompareTotal(b)
					}
					got := sortTags(tags, TagOptions{Descending: desc}, parseVersion, cmp)
					m := float64(len(got)) // the tags that are versions
					bound := c * m * math.Log2(m)
					g.Expect(comparisons).To(gomega.BeNumerically("<=", bound),
						"%d comparisons for %d tags (%.2f·n·log2 n)", comparisons, len(got), float64(comparisons)/bound*c)
					ordered := func(a, b Version) int { return a.CompareTotal(b) }
					if desc {
						ordered = func(a, b Version) int { return b.CompareTotal(a) }
					}
					g.Expect(slices.IsSortedFunc(got, ordered)).To(gomega.BeTrue())
					t.Logf("%d comparisons for %d tags: %.2f·n·log2 n", comparisons, len(got), float64(comparisons)/bound*c)
				})
			}
		}
	}
}
