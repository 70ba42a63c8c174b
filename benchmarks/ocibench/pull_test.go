package ocibench

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"testing"

	fluxoci "github.com/fluxcd/pkg/oci"
	"github.com/google/go-containerregistry/pkg/crane"

	"github.com/sluice-dev/sluice/benchmarks/internal/measure"
	"github.com/sluice-dev/sluice/oci"
)

// puller pulls pullRef and extracts it into the new directory dir.
type puller func(ctx context.Context, dir string) error

func sluicePull(b *testing.B) puller {
	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, dir string) error {
		_, err := c.Pull(ctx, pullRef, dir, oci.PullOptions{})
		return err
	}
}

func fluxPull() puller {
	c := fluxoci.NewClient(fluxoci.DefaultOptions())
	return func(ctx context.Context, dir string) error {
		_, err := c.Pull(ctx, pullRef, dir)
		return err
	}
}

// cranePull pulls the image with crane and extracts its one layer with
// archive/tar and compress/gzip.
func cranePull() puller {
	return func(ctx context.Context, dir string) error {
		img, err := crane.Pull(pullRef, crane.WithContext(ctx))
		if err != nil {
			return err
		}
		layers, err := img.Layers()
		if err != nil {
			return err
		}
		if len(layers) != 1 {
			return fmt.Errorf("artifact has %d layers, want 1", len(layers))
		}
		rc, err := layers[0].Compressed()
		if err != nil {
			return err
		}
		err = untarGz(rc, dir)
		return errors.Join(err, rc.Close())
	}
}

// untarGz extracts the gzip-compressed tar stream r into the directory dir
// through an os.Root, so no entry lands outside. It reads r to the end, so
// that a verifying reader checks the digest.
func untarGz(r io.Reader, dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(hdr.Name, 0o750); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := root.MkdirAll(path.Dir(hdr.Name), 0o750); err != nil {
				return err
			}
			if err := writeEntry(root, hdr.Name, tr); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unsupported tar entry type %q", hdr.Name, hdr.Typeflag)
		}
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	return zr.Close()
}

// writeEntry writes the new file name under root from r.
func writeEntry(root *os.Root, name string, r io.Reader) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// benchPull pulls pullRef into a new directory once per iteration and,
// with the timer stopped, checks and removes the extracted tree.
func benchPull(b *testing.B, pull puller) {
	ctx := b.Context()
	parent := b.TempDir()
	b.SetBytes(want.Bytes)
	s := measure.SampleHeap()
	i := 0
	for b.Loop() {
		dir := filepath.Join(parent, fmt.Sprint(i))
		i++
		if err := pull(ctx, dir); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := checkTree(dir); err != nil {
			b.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	s.Report(b)
}

// BenchmarkPullExtract pulls the artifact and extracts it into a new
// directory.
func BenchmarkPullExtract(b *testing.B) {
	b.Run("sluice", func(b *testing.B) { benchPull(b, sluicePull(b)) })
	b.Run("fluxcd", func(b *testing.B) { benchPull(b, fluxPull()) })
	b.Run("crane", func(b *testing.B) { benchPull(b, cranePull()) })
}
