package version_test

import (
	"bytes"
	"io"
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

// BenchmarkSortTags10k parses, filters and sorts 10,000 tags, each parsed once.
func BenchmarkSortTags10k(b *testing.B) {
	tags := benchTags(10_000)
	c, err := version.ParseConstraint(">=1.0.0 <3.0.0-0 || >=2020.0.0")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			version.SortTags(tags, version.TagOptions{})
		}
	})
	b.Run("constraint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true})
		}
	})
}

// BenchmarkSort10k sorts 10,000 parsed versions (the copy is included).
func BenchmarkSort10k(b *testing.B) {
	parsed := version.SortTags(benchTags(10_000), version.TagOptions{})
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(parsed), func(i, j int) { parsed[i], parsed[j] = parsed[j], parsed[i] })
	vs := make([]version.Version, len(parsed))
	b.ReportAllocs()
	for b.Loop() {
		copy(vs, parsed)
		version.Sort(vs)
	}
	if !slices.IsSortedFunc(vs, version.Version.CompareTotal) {
		b.Fatal("not sorted")
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
