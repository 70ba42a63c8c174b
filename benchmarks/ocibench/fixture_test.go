package ocibench

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Shape of the generated directory: about 50 MB in 2,000 files.
const (
	fixtureFiles   = 2000
	fixtureDirs    = 10 // top-level directories, each with fixtureSubdirs
	fixtureSubdirs = 5
	minFileSize    = 10_000
	maxFileSize    = 40_000 // exclusive; the mean file is 25 kB
	randomEvery    = 4      // one file in randomEvery holds random bytes
)

// tree is the shape of a directory: what an extraction must reproduce.
type tree struct {
	Files int   // regular files
	Dirs  int   // directories, the root excluded
	Bytes int64 // total size of the regular files
}

// writeFixture fills the new directory dir with the deterministic fixture
// and returns its shape.
func writeFixture(dir string) (tree, error) {
	rng := rand.New(rand.NewChaCha8([32]byte{'s', 'l', 'u', 'i', 'c', 'e'})) //nolint:gosec // deterministic fixture content
	buf := make([]byte, 0, maxFileSize+200)
	for i := range fixtureFiles {
		size := minFileSize + rng.IntN(maxFileSize-minFileSize)
		var name string
		if i%randomEvery == randomEvery-1 {
			buf = buf[:size]
			fillRandom(rng, buf)
			name = fmt.Sprintf("blob%04d.bin", i)
		} else {
			buf = appendYAML(buf[:0], rng, size)
			name = fmt.Sprintf("manifest%04d.yaml", i)
		}
		sub := filepath.Join(dir, fmt.Sprintf("team%02d", i%fixtureDirs), fmt.Sprintf("app%d", i/fixtureDirs%fixtureSubdirs))
		if err := os.MkdirAll(sub, 0o750); err != nil {
			return tree{}, err
		}
		if err := os.WriteFile(filepath.Join(sub, name), buf, 0o600); err != nil {
			return tree{}, err
		}
	}
	t, err := countTree(dir)
	if err != nil {
		return tree{}, err
	}
	if t.Files != fixtureFiles {
		return tree{}, fmt.Errorf("fixture has %d files, want %d", t.Files, fixtureFiles)
	}
	return t, nil
}

// fillRandom fills b with bytes that do not compress.
func fillRandom(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

// appendYAML appends at least size bytes of indented "key: value" lines
// that compress about as well as Kubernetes manifests.
func appendYAML(b []byte, rng *rand.Rand, size int) []byte {
	yamlKeys := [...]string{
		"apiVersion", "kind", "name", "namespace", "image", "replicas",
		"containerPort", "labels", "annotations", "memory", "cpu", "value",
	}
	start := len(b)
	for len(b)-start < size {
		for range rng.IntN(4) {
			b = append(b, "  "...)
		}
		b = append(b, yamlKeys[rng.IntN(len(yamlKeys))]...)
		b = append(b, ": "...)
		switch rng.IntN(3) {
		case 0:
			b = strconv.AppendInt(b, int64(rng.IntN(100_000)), 10)
		case 1:
			b = append(b, "app-"...)
			b = strconv.AppendUint(b, uint64(rng.Uint32()), 16)
		default:
			b = append(b, yamlKeys[rng.IntN(len(yamlKeys))]...)
		}
		b = append(b, '\n')
	}
	return b
}

// countTree returns the shape of the directory dir. Anything but regular
// files and directories is an error.
func countTree(dir string) (tree, error) {
	var t tree
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case p == dir:
		case d.IsDir():
			t.Dirs++
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			t.Files++
			t.Bytes += fi.Size()
		default:
			return fmt.Errorf("%s: unexpected file type %s", p, d.Type())
		}
		return nil
	})
	return t, err
}

// checkTree reports whether the directory dir has the fixture's shape.
func checkTree(dir string) error {
	got, err := countTree(dir)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("extracted %+v, want %+v", got, want)
	}
	return nil
}
