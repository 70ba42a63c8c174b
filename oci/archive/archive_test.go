package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	. "github.com/onsi/gomega"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

// writeTree creates files (path -> content) under dir; a content starting
// with "->" makes a symbolic link.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every path under dir with its content ("dir/" for
// directories, "->target" for links).
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "->" + target
		case info.IsDir():
			out[rel] = "dir/"
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func buildBytes(t *testing.T, dir string, opts BuildOptions) ([]byte, Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := Build(t.Context(), dir, &buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

func TestBuildIsReproducible(t *testing.T) {
	g := NewWithT(t)
	files := map[string]string{
		"a.yaml":          "a: 1\n",
		"dir/b.yaml":      "b: 2\n",
		"dir/sub/c.txt":   strings.Repeat("c", 100_000),
		"link":            "->dir/b.yaml",
		"z/empty-sibling": "",
	}
	one, two := t.TempDir(), t.TempDir()
	writeTree(t, one, files)
	writeTree(t, two, files)
	// Different times and permissions on the second tree must not matter.
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	g.Expect(os.Chtimes(filepath.Join(two, "a.yaml"), old, old)).To(Succeed())
	g.Expect(os.Chmod(filepath.Join(two, "dir/b.yaml"), 0o600)).To(Succeed())
	g.Expect(os.Mkdir(filepath.Join(two, "emptydir"), 0o700)).To(Succeed())
	g.Expect(os.Mkdir(filepath.Join(one, "emptydir"), 0o755)).To(Succeed())

	b1, s1 := buildBytes(t, one, BuildOptions{})
	b2, s2 := buildBytes(t, two, BuildOptions{})
	g.Expect(s1.Digest).To(Equal(s2.Digest))
	g.Expect(b1).To(Equal(b2))
	g.Expect(s1.Digest).To(Equal(digest.FromBytes(b1)))
	g.Expect(s1.Size).To(Equal(int64(len(b1))))
	g.Expect(s1.Files).To(Equal(4))
	g.Expect(s1.Symlinks).To(Equal(1))
	g.Expect(s1.Dirs).To(Equal(4)) // dir, dir/sub, emptydir, z
	g.Expect(s1.ContentSize).To(Equal(int64(5 + 5 + 100_000)))

	// Headers: sorted, fixed metadata.
	gz, err := gzip.NewReader(bytes.NewReader(b1))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(gz.Header.ModTime.IsZero()).To(BeTrue())
	g.Expect(gz.Header.Name).To(BeEmpty())
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		g.Expect(err).NotTo(HaveOccurred())
		names = append(names, hdr.Name)
		g.Expect(hdr.ModTime.Unix()).To(BeZero())
		g.Expect(hdr.Uid).To(BeZero())
		g.Expect(hdr.Gid).To(BeZero())
		g.Expect(hdr.Uname).To(BeEmpty())
		switch hdr.Typeflag {
		case tar.TypeDir:
			g.Expect(hdr.Mode).To(Equal(int64(0o755)))
		case tar.TypeReg:
			g.Expect(hdr.Mode).To(Equal(int64(0o644)))
		}
	}
	g.Expect(names).To(Equal([]string{
		"a.yaml", "dir/", "dir/b.yaml", "dir/sub/", "dir/sub/c.txt", "emptydir/", "link", "z/", "z/empty-sibling",
	}))

	// A change of content changes the digest.
	g.Expect(os.WriteFile(filepath.Join(two, "a.yaml"), []byte("a: 2\n"), 0o644)).To(Succeed())
	_, s3 := buildBytes(t, two, BuildOptions{})
	g.Expect(s3.Digest).NotTo(Equal(s1.Digest))
}

func TestBuildExecutableBit(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\n"), 0o700)).To(Succeed())
	data, _ := buildBytes(t, dir, BuildOptions{})
	out := filepath.Join(t.TempDir(), "out")
	_, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	info, err := os.Stat(filepath.Join(out, "run.sh"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(info.Mode().Perm() & 0o100).NotTo(BeZero())
}

func TestBuildIgnore(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".sourceignore":    "# CI files\n/ci/\n*.md\n!KEEP.md\n",
		"ci/pipeline.yaml": "x",
		"app/ci/kept.yaml": "x",
		"README.md":        "x",
		"KEEP.md":          "x",
		"app/deploy.yaml":  "x",
		"app/tmp/a.tmp":    "x",
	})
	data, sum := buildBytes(t, dir, BuildOptions{IgnoreFile: ".sourceignore", Ignore: []string{"tmp/", ".sourceignore"}})
	out := filepath.Join(t.TempDir(), "out")
	_, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{Digest: sum.Digest})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(readTree(t, out)).To(Equal(map[string]string{
		"KEEP.md": "x", "app": "dir/", "app/ci": "dir/", "app/ci/kept.yaml": "x", "app/deploy.yaml": "x",
	}))

	// A missing ignore file is fine; a malformed pattern is not.
	_, err = Build(t.Context(), dir, io.Discard, BuildOptions{IgnoreFile: "missing"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = Build(t.Context(), dir, io.Discard, BuildOptions{Ignore: []string{"[z-"}})
	g.Expect(errors.Is(err, ErrInvalidPattern)).To(BeTrue(), "%v", err)
}

func TestBuildRefusals(t *testing.T) {
	t.Run("symlink outside", func(t *testing.T) {
		g := NewWithT(t)
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"sub/l": "->../../etc/passwd"})
		_, err := Build(t.Context(), dir, io.Discard, BuildOptions{})
		g.Expect(errors.Is(err, ErrSymlinkEscape)).To(BeTrue(), "%v", err)
	})
	t.Run("absolute symlink", func(t *testing.T) {
		g := NewWithT(t)
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"l": "->/etc/passwd"})
		_, err := Build(t.Context(), dir, io.Discard, BuildOptions{})
		g.Expect(errors.Is(err, ErrSymlinkEscape)).To(BeTrue(), "%v", err)
	})
	t.Run("fifo", func(t *testing.T) {
		g := NewWithT(t)
		dir := t.TempDir()
		g.Expect(syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600)).To(Succeed())
		_, err := Build(t.Context(), dir, io.Discard, BuildOptions{})
		g.Expect(errors.Is(err, ErrUnsupportedType)).To(BeTrue(), "%v", err)
		// Ignored special files are fine.
		_, err = Build(t.Context(), dir, io.Discard, BuildOptions{Ignore: []string{"pipe"}})
		g.Expect(err).NotTo(HaveOccurred())
	})
	t.Run("not a directory", func(t *testing.T) {
		g := NewWithT(t)
		f := filepath.Join(t.TempDir(), "f")
		g.Expect(os.WriteFile(f, nil, 0o644)).To(Succeed())
		_, err := Build(t.Context(), f, io.Discard, BuildOptions{})
		g.Expect(err).To(HaveOccurred())
	})
	t.Run("cancelled", func(t *testing.T) {
		g := NewWithT(t)
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"a": "a"})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Build(ctx, dir, io.Discard, BuildOptions{})
		g.Expect(errors.Is(err, context.Canceled)).To(BeTrue(), "%v", err)
	})
}

func TestRoundTrip(t *testing.T) {
	g := NewWithT(t)
	src := t.TempDir()
	files := map[string]string{
		"a.yaml":                                "a: 1\n",
		"deep/er/and/deeper/x.js":               strings.Repeat("x", 300_000),
		"links/to-file":                         "->../a.yaml",
		"links/to-dir":                          "->../deep",
		"links/dot":                             "->.",
		strings.Repeat("long-name-", 20) + "/f": "long",
	}
	writeTree(t, src, files)
	data, bsum := buildBytes(t, src, BuildOptions{})

	out := filepath.Join(t.TempDir(), "nested", "out")
	esum, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{Digest: bsum.Digest})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(esum).To(Equal(bsum))
	g.Expect(readTree(t, out)).To(Equal(readTree(t, src)))
	entries, err := os.ReadDir(filepath.Dir(out))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(1), "no temporary directory left")

	// An existing empty directory is a valid target too.
	empty := t.TempDir()
	_, err = Extract(t.Context(), bytes.NewReader(data), empty, ExtractOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(readTree(t, empty)).To(Equal(readTree(t, src)))
}

// entry is one member of a hand-made archive.
type entry struct {
	hdr  tar.Header
	body string
}

func reg(name, body string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}, body: body}
}

func dirEntry(name string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}}
}

func symlink(name, target string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target}}
}

func hardlink(name, target string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeLink, Linkname: target}}
}

func special(name string, typ byte) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: typ, Mode: 0o644, Devmajor: 1, Devminor: 3}}
}

// makeTarGz writes entries as a gzip-compressed tar stream without any
// check, the way a hostile producer would.
func makeTarGz(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := e.hdr
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if e.body != "" {
			if _, err := io.WriteString(tw, e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hugeHeader is a tar stream whose only entry claims an enormous size but
// carries no data; the limit must trip before any read.
func hugeHeader(t *testing.T) []byte {
	t.Helper()
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	if err := tw.WriteHeader(&tar.Header{Name: "huge", Typeflag: tar.TypeReg, Mode: 0o644, Size: math.MaxInt64 / 2}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExtractRefusesHostileArchives(t *testing.T) {
	tests := []struct {
		name    string
		data    func(t *testing.T) []byte
		opts    ExtractOptions
		want    error
		entryIs string // name of the entry the *ExtractError must report
	}{
		{"dot-dot traversal", func(t *testing.T) []byte {
			return makeTarGz(t, reg("ok", "x"), reg("../escaped", "pwned"))
		}, ExtractOptions{}, ErrPathTraversal, "../escaped"},
		{"traversal in the middle", func(t *testing.T) []byte {
			return makeTarGz(t, reg("a/../../escaped", "pwned"))
		}, ExtractOptions{}, ErrPathTraversal, "a/../../escaped"},
		{"absolute path", func(t *testing.T) []byte {
			return makeTarGz(t, reg("/tmp/escaped", "pwned"))
		}, ExtractOptions{}, ErrAbsolutePath, "/tmp/escaped"},
		{"absolute symlink", func(t *testing.T) []byte {
			return makeTarGz(t, symlink("l", "/etc"))
		}, ExtractOptions{}, ErrSymlinkEscape, "l"},
		{"relative symlink out", func(t *testing.T) []byte {
			return makeTarGz(t, symlink("a/l", "../../escaped"))
		}, ExtractOptions{}, ErrSymlinkEscape, "a/l"},
		{"write through a symlink", func(t *testing.T) []byte {
			return makeTarGz(t, symlink("l", "."), reg("l/f", "x"))
		}, ExtractOptions{}, ErrSymlinkEscape, "l/f"},
		{"symlink through a symlink to the root", func(t *testing.T) []byte {
			// x -> . is inside; x/l -> .. would be inside lexically from x
			// but really points at the parent of the target.
			return makeTarGz(t, symlink("x", "."), symlink("x/l", ".."))
		}, ExtractOptions{}, ErrSymlinkEscape, "x/l"},
		{"symlink replaced after a file", func(t *testing.T) []byte {
			return makeTarGz(t, reg("f", "x"), symlink("f", "/etc/passwd"))
		}, ExtractOptions{}, ErrDuplicateEntry, "f"},
		{"duplicate file", func(t *testing.T) []byte {
			return makeTarGz(t, reg("f", "x"), reg("f", "y"))
		}, ExtractOptions{}, ErrDuplicateEntry, "f"},
		{"hard link outside", func(t *testing.T) []byte {
			return makeTarGz(t, hardlink("h", "../../etc/passwd"))
		}, ExtractOptions{}, ErrHardlinkEscape, "h"},
		{"hard link absolute", func(t *testing.T) []byte {
			return makeTarGz(t, hardlink("h", "/etc/passwd"))
		}, ExtractOptions{}, ErrHardlinkEscape, "h"},
		{"hard link to a missing file", func(t *testing.T) []byte {
			return makeTarGz(t, hardlink("h", "nothing"))
		}, ExtractOptions{}, ErrHardlinkEscape, "h"},
		{"hard link to a symlink", func(t *testing.T) []byte {
			return makeTarGz(t, symlink("l", "a"), hardlink("h", "l"))
		}, ExtractOptions{}, ErrHardlinkEscape, "h"},
		{"character device", func(t *testing.T) []byte {
			return makeTarGz(t, special("null", tar.TypeChar))
		}, ExtractOptions{}, ErrUnsupportedType, "null"},
		{"block device", func(t *testing.T) []byte {
			return makeTarGz(t, special("sda", tar.TypeBlock))
		}, ExtractOptions{}, ErrUnsupportedType, "sda"},
		{"fifo", func(t *testing.T) []byte {
			return makeTarGz(t, special("pipe", tar.TypeFifo))
		}, ExtractOptions{}, ErrUnsupportedType, "pipe"},
		{"huge declared size", hugeHeader, ExtractOptions{}, ErrTooLarge, "huge"},
		{"total size over the limit", func(t *testing.T) []byte {
			return makeTarGz(t, reg("a", strings.Repeat("a", 600)), reg("b", strings.Repeat("b", 600)))
		}, ExtractOptions{MaxSize: 1000}, ErrTooLarge, "b"},
		{"too many files", func(t *testing.T) []byte {
			return makeTarGz(t, reg("a", "1"), dirEntry("d/"), reg("b", "2"))
		}, ExtractOptions{MaxFiles: 2}, ErrTooManyFiles, "b"},
		{"file as parent", func(t *testing.T) []byte {
			return makeTarGz(t, reg("f", "1"), reg("f/g", "2"))
		}, ExtractOptions{}, ErrInvalidArchive, "f/g"},
		{"root as a file", func(t *testing.T) []byte {
			return makeTarGz(t, reg(".", "1"))
		}, ExtractOptions{}, ErrInvalidArchive, "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			base := t.TempDir()
			out := filepath.Join(base, "out")
			_, err := Extract(t.Context(), bytes.NewReader(tt.data(t)), out, tt.opts)
			g.Expect(errors.Is(err, tt.want)).To(BeTrue(), "got %v", err)
			var ee *ExtractError
			g.Expect(errors.As(err, &ee)).To(BeTrue(), "got %T %v", err, err)
			g.Expect(ee.Name).To(Equal(tt.entryIs))
			// Nothing written: not the target, not a temporary directory,
			// not a file outside.
			entries, rerr := os.ReadDir(base)
			g.Expect(rerr).NotTo(HaveOccurred())
			g.Expect(entries).To(BeEmpty())
		})
	}
}

func TestExtractInvalidInput(t *testing.T) {
	valid := makeTarGz(t, reg("a", strings.Repeat("data", 1000)))
	tests := []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("plain text, not an archive")},
		{"empty", nil},
		{"truncated", valid[:len(valid)/2]},
		{"corrupt deflate", append(append([]byte{}, valid[:12]...), bytes.Repeat([]byte{0xff}, 64)...)},
		{"bad checksum", func() []byte {
			d := append([]byte{}, valid...)
			d[len(d)-8] ^= 0xff // CRC32 in the trailer
			return d
		}()},
		{"gzip of garbage", func() []byte {
			var buf bytes.Buffer
			gz := gzip.NewWriter(&buf)
			_, _ = gz.Write(bytes.Repeat([]byte("not a tar header "), 64))
			_ = gz.Close()
			return buf.Bytes()
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			base := t.TempDir()
			_, err := Extract(t.Context(), bytes.NewReader(tt.data), filepath.Join(base, "out"), ExtractOptions{})
			g.Expect(errors.Is(err, ErrInvalidArchive)).To(BeTrue(), "got %v", err)
			entries, _ := os.ReadDir(base)
			g.Expect(entries).To(BeEmpty())
		})
	}
}

func TestExtractDigest(t *testing.T) {
	g := NewWithT(t)
	data := makeTarGz(t, reg("a", "content"))
	base := t.TempDir()
	out := filepath.Join(base, "out")

	wrong := digest.FromString("something else")
	_, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{Digest: wrong})
	g.Expect(errors.Is(err, version.ErrDigestMismatch)).To(BeTrue(), "%v", err)
	var dm *version.DigestMismatchError
	g.Expect(errors.As(err, &dm)).To(BeTrue())
	entries, _ := os.ReadDir(base)
	g.Expect(entries).To(BeEmpty())

	_, err = Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{Digest: "sha256:nothex"})
	g.Expect(errors.Is(err, version.ErrInvalidDigest)).To(BeTrue(), "%v", err)

	sum512 := digest.SHA512.FromBytes(data)
	s, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{Digest: sum512})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.Digest).To(Equal(sum512))
	g.Expect(s.Size).To(Equal(int64(len(data))))
}

func TestExtractTarget(t *testing.T) {
	g := NewWithT(t)
	data := makeTarGz(t, reg("a", "new"))
	base := t.TempDir()
	out := filepath.Join(base, "out")
	writeTree(t, out, map[string]string{"old": "old"})
	_, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{})
	g.Expect(errors.Is(err, ErrTargetNotEmpty)).To(BeTrue(), "%v", err)
	g.Expect(readTree(t, out)).To(Equal(map[string]string{"old": "old"}))

	file := filepath.Join(base, "file")
	g.Expect(os.WriteFile(file, nil, 0o644)).To(Succeed())
	_, err = Extract(t.Context(), bytes.NewReader(data), file, ExtractOptions{})
	g.Expect(errors.Is(err, ErrTargetNotEmpty)).To(BeTrue(), "%v", err)
}

func TestExtractAllowsSafeLinks(t *testing.T) {
	g := NewWithT(t)
	data := makeTarGz(t,
		dirEntry("./"),
		reg("./a/file", "x"),
		dirEntry("a/"),
		dirEntry("a"),
		symlink("a/up", "../a/file"),
		symlink("a/here", "./file"),
		hardlink("b/hard", "a/file"),
		entry{hdr: tar.Header{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "abc"}}},
	)
	out := filepath.Join(t.TempDir(), "out")
	s, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(readTree(t, out)).To(Equal(map[string]string{
		"a": "dir/", "a/file": "x", "a/up": "->../a/file", "a/here": "->file", "b": "dir/", "b/hard": "x",
	}))
	g.Expect(s.Files).To(Equal(2))
	g.Expect(s.Symlinks).To(Equal(2))
}

func TestExtractCancelled(t *testing.T) {
	g := NewWithT(t)
	data := makeTarGz(t, reg("a", "x"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	base := t.TempDir()
	_, err := Extract(ctx, bytes.NewReader(data), filepath.Join(base, "out"), ExtractOptions{})
	g.Expect(errors.Is(err, context.Canceled)).To(BeTrue(), "%v", err)
	entries, _ := os.ReadDir(base)
	g.Expect(entries).To(BeEmpty())
}

// failingReader returns data then an error, like a dropped connection.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestExtractSourceErrorIsKept(t *testing.T) {
	g := NewWithT(t)
	data := makeTarGz(t, reg("a", strings.Repeat("incompressible? no, but long ", 10_000)))
	boom := errors.New("connection reset")
	base := t.TempDir()
	_, err := Extract(t.Context(), &failingReader{data: data[:len(data)/2], err: boom}, filepath.Join(base, "out"), ExtractOptions{})
	g.Expect(errors.Is(err, boom)).To(BeTrue(), "%v", err)
	entries, _ := os.ReadDir(base)
	g.Expect(entries).To(BeEmpty())
}

func TestSummaryOrderIndependentOfWalk(t *testing.T) {
	g := NewWithT(t)
	// Names that sort differently byte-wise and per directory.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a-b": "1", "a/b": "2", "a.b": "3", "B": "4"})
	data, _ := buildBytes(t, dir, BuildOptions{})
	gz, err := gzip.NewReader(bytes.NewReader(data))
	g.Expect(err).NotTo(HaveOccurred())
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	g.Expect(names).To(Equal([]string{"B", "a/", "a/b", "a-b", "a.b"}))
}
