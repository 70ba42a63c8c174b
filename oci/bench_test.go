package oci_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// benchTree writes about 50 MB in 2,000 files of text that compresses
// like YAML and source code (about 4:1).
func benchTree(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2)) // #nosec G404 -- test data
	words := []string{"apiVersion", "kind", "metadata", "name", "spec", "replicas", "image", "labels", "app", "value", "- ", ": ", "\n", "  "}
	var total int64
	for i := range 2000 {
		var buf []byte
		for len(buf) < 25_000 {
			buf = append(buf, words[rng.IntN(len(words))]...)
			buf = fmt.Appendf(buf, "%x", rng.Uint32())
		}
		p := filepath.Join(dir, fmt.Sprintf("d%02d", i%40), fmt.Sprintf("f%04d.yaml", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(buf))
	}
	return dir, total
}

// BenchmarkPush pushes 50 MB in 2,000 files to a new repository of a local
// registry each time, archive build included.
func BenchmarkPush(b *testing.B) {
	reg, err := registry.New(b.Context(), registry.WithFilesystemStorage(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = reg.Close() })
	src, total := benchTree(b)
	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := c.Push(b.Context(), reg.Ref(fmt.Sprintf("bench/push%d:v1", i)), src, oci.PushOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPullExtract pulls and extracts the same artifact into a new
// directory each time.
func BenchmarkPullExtract(b *testing.B) {
	reg, err := registry.New(b.Context(), registry.WithFilesystemStorage(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = reg.Close() })
	src, total := benchTree(b)
	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		b.Fatal(err)
	}
	ref := reg.Ref("bench/pull:v1")
	if _, err := c.Push(b.Context(), ref, src, oci.PushOptions{}); err != nil {
		b.Fatal(err)
	}
	base := b.TempDir()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(base, fmt.Sprintf("out%d", i))
		if _, err := c.Pull(b.Context(), ref, out, oci.PullOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = os.RemoveAll(out)
		b.StartTimer()
	}
}
