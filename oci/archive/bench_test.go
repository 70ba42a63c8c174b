package archive

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// benchArchive builds an archive of about 10 MB in 400 files of
// YAML-like text.
func benchArchive(b *testing.B) []byte {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2)) // #nosec G404 -- test data
	for i := range 400 {
		var buf []byte
		for len(buf) < 25_000 {
			buf = fmt.Appendf(buf, "key%d: %x\n", rng.IntN(50), rng.Uint32())
		}
		p := filepath.Join(dir, fmt.Sprintf("d%02d", i%20), fmt.Sprintf("f%04d.yaml", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := Build(b.Context(), dir, &out, BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

// BenchmarkExtract measures decompression, hashing and writing.
func BenchmarkExtract(b *testing.B) {
	data := benchArchive(b)
	base := b.TempDir()
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(base, fmt.Sprintf("out%d", i))
		if _, err := Extract(b.Context(), bytes.NewReader(data), out, ExtractOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = os.RemoveAll(out)
		b.StartTimer()
	}
}
