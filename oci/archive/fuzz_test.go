package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract feeds hostile bytes to Extract: it must never panic, never
// leave anything outside the target, and whatever it extracts must resolve
// inside the target.
func FuzzExtract(f *testing.F) {
	f.Add(makeTarGz(f, reg("a", "x"), dirEntry("d/"), reg("d/b", "y"), symlink("l", "d/b"), hardlink("h", "a")))
	f.Add(makeTarGz(f, reg("../x", "x")))
	f.Add(makeTarGz(f, reg("/abs", "x")))
	f.Add(makeTarGz(f, symlink("l", "."), symlink("l/m", "..")))
	f.Add(makeTarGz(f, symlink("l", "/etc"), reg("l/passwd", "x")))
	f.Add(makeTarGz(f, hardlink("h", "/etc/passwd")))
	f.Add(makeTarGz(f, special("dev", tar.TypeChar), special("fifo", tar.TypeFifo)))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		out := filepath.Join(base, "out")
		_, err := Extract(t.Context(), bytes.NewReader(data), out, ExtractOptions{MaxSize: 1 << 20, MaxFiles: 1000})
		entries, rerr := os.ReadDir(base)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			if len(entries) != 0 {
				t.Fatalf("failed extraction left %d entries: %v", len(entries), err)
			}
			return
		}
		if len(entries) != 1 || entries[0].Name() != "out" {
			t.Fatalf("unexpected entries next to the target: %v", entries)
		}
		rootReal, rerr := filepath.EvalSymlinks(out)
		if rerr != nil {
			t.Fatal(rerr)
		}
		werr := filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if info.Mode()&os.ModeSymlink == 0 {
				if !info.Mode().IsRegular() && !info.IsDir() {
					t.Errorf("special file %s extracted", p)
				}
				return nil
			}
			resolved, err := filepath.EvalSymlinks(p)
			if errors.Is(err, os.ErrNotExist) {
				// A dangling link: check its lexical target instead.
				target, _ := os.Readlink(p)
				resolved = filepath.Join(filepath.Dir(p), target)
			} else if err != nil {
				return nil // loops and the like are harmless
			}
			if resolved != rootReal && !strings.HasPrefix(resolved, rootReal+string(filepath.Separator)) &&
				resolved != out && !strings.HasPrefix(resolved, out+string(filepath.Separator)) {
				t.Errorf("link %s resolves outside the target: %s", p, resolved)
			}
			return nil
		})
		if werr != nil {
			t.Fatal(werr)
		}
	})
}

// FuzzMatcher checks that any pattern compiles or fails cleanly, that
// matching never panics, and that ParseIgnore agrees with NewMatcher.
func FuzzMatcher(f *testing.F) {
	f.Add("*.log\n!keep.log", "a/keep.log", false)
	f.Add("/a/**/b/", "a/x/y/b", true)
	f.Add("[!a-z]?\\*", "Z1*", false)
	f.Add("**/**/**", "a/b/c/d", false)
	f.Add("vendor/**", "vendor", true)
	f.Fuzz(func(t *testing.T, patterns, name string, isDir bool) {
		lines := strings.Split(strings.ReplaceAll(patterns, "\r\n", "\n"), "\n")
		clean := lines[:0]
		for _, l := range lines {
			if !strings.Contains(l, "\r") {
				clean = append(clean, l)
			}
		}
		m1, err1 := NewMatcher(clean...)
		m2, err2 := ParseIgnore(strings.Join(clean, "\n"))
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("NewMatcher error %v, ParseIgnore error %v", err1, err2)
		}
		if err1 != nil {
			if !errors.Is(err1, ErrInvalidPattern) {
				t.Fatalf("error does not wrap ErrInvalidPattern: %v", err1)
			}
			return
		}
		if m1.Match(name, isDir) != m2.Match(name, isDir) {
			t.Fatalf("NewMatcher and ParseIgnore disagree on %q", name)
		}
	})
}
