package ocibench

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// The crane baselines archive and extract with the helpers below; these
// tests keep them honest without the benchmark fixture.

func TestTarGzRoundTrip(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{
		"a.yaml":             "kind: ConfigMap\n",
		"empty.txt":          "",
		"team/app/b.yaml":    "kind: Deployment\n",
		"team/app/deep/c.md": "# c\n",
	}
	for name, content := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(src, "team", "unused"), 0o750); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := writeTarGz(&buf, src); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "out")
	if err := untarGz(&buf, dst); err != nil {
		t.Fatal(err)
	}

	want, err := countTree(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := countTree(dst)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || got.Files != len(files) || got.Dirs != 4 {
		t.Fatalf("extracted %+v, source %+v, want %d files and 4 directories", got, want, len(files))
	}
	for name, content := range files {
		b, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != content {
			t.Errorf("%s = %q, want %q", name, b, content)
		}
	}
}

func TestUntarGzRefusesEntriesOutsideDir(t *testing.T) {
	for _, name := range []string{"../escape.txt", "/abs.txt", "a/../../escape.txt"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			tw := tar.NewWriter(zw)
			body := []byte("x")
			if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
			if err := tw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			if err := untarGz(&buf, filepath.Join(parent, "out")); err == nil {
				t.Fatalf("untarGz accepted %q", name)
			}
			if _, err := os.Stat(filepath.Join(parent, "escape.txt")); !os.IsNotExist(err) {
				t.Fatalf("%q was written outside the directory: %v", name, err)
			}
		})
	}
}

func TestUntarGzRefusesLinks(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := untarGz(&buf, filepath.Join(t.TempDir(), "out")); err == nil {
		t.Fatal("untarGz accepted a symbolic link")
	}
}
