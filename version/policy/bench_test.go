package policy_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluice-dev/sluice/version/policy"
)

func benchTags(n int) []string {
	r := rand.New(rand.NewPCG(3, 4))
	tags := make([]string, n)
	for i := range tags {
		switch r.IntN(3) {
		case 0:
			tags[i] = fmt.Sprintf("v%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(20))
		case 1:
			tags[i] = fmt.Sprintf("main-%07x-%d", r.Uint32()&0xfffffff, 1700000000+r.IntN(1e7))
		default:
			tags[i] = fmt.Sprintf("%d.%d.%d-rc.%d", r.IntN(5), r.IntN(20), r.IntN(20), r.IntN(5))
		}
	}
	return tags
}

func BenchmarkLatest10k(b *testing.B) {
	tags := benchTags(10_000)
	cases := []struct {
		name string
		o    policy.Options
	}{
		{"semver", policy.Options{Range: "^1.2"}},
		{"alphabetical", policy.Options{Kind: policy.Alphabetical}},
		{"numerical-extract", policy.Options{Kind: policy.Numerical, Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, Extract: "$ts"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p, err := policy.New(c.o)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Latest(tags); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
