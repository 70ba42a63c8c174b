package version_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/version"
)

func BenchmarkParse(b *testing.B) {
	cases := map[string]string{
		"loose":   "v2025.02.03-rc.1+build.5",
		"partial": "v1.2",
		"invalid": "main-3f2a9c1",
	}
	for name, s := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = version.Parse(s)
			}
		})
	}
	b.Run("strict", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = version.ParseStrict("1.2.3-beta.11+exp.sha.5114f85")
		}
	})
	b.Run("try-invalid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = version.TryParse("main-3f2a9c1")
		}
	})
}

func BenchmarkParseConstraint(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = version.ParseConstraint(">=1.2.0 <2.0.0 || ^3.1 || ~4.2.3-rc.1")
	}
}

func BenchmarkConstraintCheck(b *testing.B) {
	c, err := version.ParseConstraint(">=1.2.0 <2.0.0 || ^3.1 || ~4.2.3-rc.1")
	if err != nil {
		b.Fatal(err)
	}
	v := mustParse(b, "4.2.3-rc.2")
	b.ReportAllocs()
	for b.Loop() {
		c.Check(v)
	}
}

func benchTags(n int) []string {
	return randomTags(rand.New(rand.NewPCG(42, 42)), n)
}

// benchSizes are the tag counts of the sorting benchmarks.
var benchSizes = []int{1_000, 10_000, 100_000}

// reportPerNLogN adds the time per n·log2(n), which stays flat when the cost
// grows as O(n log n).
func reportPerNLogN(b *testing.B, n int) {
	b.Helper()
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(ns/(float64(n)*math.Log2(float64(n))), "ns/nlog2n")
}

// BenchmarkSortTags parses, filters and sorts n tags, each parsed once.
func BenchmarkSortTags(b *testing.B) {
	c, err := version.ParseConstraint(">=1.0.0 <3.0.0-0 || >=2020.0.0")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes {
		tags := benchTags(n)
		b.Run(fmt.Sprintf("n=%d/all", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				version.SortTags(tags, version.TagOptions{})
			}
			reportPerNLogN(b, n)
		})
		b.Run(fmt.Sprintf("n=%d/constraint-desc", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true})
			}
			reportPerNLogN(b, n)
		})
	}
}

// BenchmarkSort sorts n parsed versions (the copy is included).
func BenchmarkSort(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			parsed := version.SortTags(benchTags(n), version.TagOptions{})
			rand.New(rand.NewPCG(1, 1)).Shuffle(len(parsed), func(i, j int) { parsed[i], parsed[j] = parsed[j], parsed[i] })
			vs := make([]version.Version, len(parsed))
			b.ReportAllocs()
			for b.Loop() {
				copy(vs, parsed)
				version.Sort(vs)
			}
			reportPerNLogN(b, len(vs))
			if !slices.IsSortedFunc(vs, version.Version.CompareTotal) {
				b.Fatal("not sorted")
			}
		})
	}
}

func BenchmarkParseRevision(b *testing.B) {
	s := "refs/heads/main@sha1:" + sha1Hex
	b.ReportAllocs()
	for b.Loop() {
		_, _ = version.ParseRevision(s)
	}
}

func BenchmarkConvertLegacyRevision(b *testing.B) {
	s := "refs/heads/main/" + sha1Hex
	b.ReportAllocs()
	for b.Loop() {
		_, _ = version.ConvertLegacyRevision(s)
	}
}

func BenchmarkParseDigest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = version.ParseDigest(helloSHA256)
	}
}

func BenchmarkVerifyingReader1MiB(b *testing.B) {
	data := bytes.Repeat([]byte("sluice"), 1<<20/6)
	d := version.SHA256.FromBytes(data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := version.NewVerifyingReader(bytes.NewReader(data), d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
