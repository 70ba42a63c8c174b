package ocibench

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fluxoci "github.com/fluxcd/pkg/oci"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sluice-dev/sluice/benchmarks/internal/measure"
	"github.com/sluice-dev/sluice/oci"
)

// pusher pushes srcDir to ref.
type pusher func(ctx context.Context, ref string) error

func sluicePush(b *testing.B) pusher {
	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, ref string) error {
		res, err := c.Push(ctx, ref, srcDir, oci.PushOptions{})
		if err != nil {
			return err
		}
		if res.Archive.Files != want.Files {
			return fmt.Errorf("pushed %d files, want %d", res.Archive.Files, want.Files)
		}
		return nil
	}
}

func fluxPush() pusher {
	c := fluxoci.NewClient(fluxoci.DefaultOptions())
	return func(ctx context.Context, ref string) error {
		_, err := c.Push(ctx, ref, srcDir)
		return err
	}
}

// cranePush does what `tar czf` followed by
// `crane append --oci-empty-base -f layer.tar.gz -t ref` does, and adds the
// time spent writing the archive to archiving.
func cranePush(archiving *time.Duration) pusher {
	return func(ctx context.Context, ref string) error {
		start := time.Now()
		f, err := os.CreateTemp("", "ocibench-crane-*.tar.gz")
		if err != nil {
			return err
		}
		defer func() { _ = os.Remove(f.Name()) }()
		werr := writeTarGz(f, srcDir)
		if err := errors.Join(werr, f.Close()); err != nil {
			return err
		}
		*archiving += time.Since(start)
		base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
		img, err := crane.Append(base, f.Name())
		if err != nil {
			return err
		}
		return crane.Push(img, ref, crane.WithContext(ctx))
	}
}

// writeTarGz writes a gzip-compressed tar archive of the regular files and
// directories under dir to w, with archive/tar and compress/gzip at their
// defaults, in the order filepath.WalkDir visits them.
func writeTarGz(w io.Writer, dir string) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, src)
		return errors.Join(err, src.Close())
	})
	return errors.Join(err, tw.Close(), zw.Close())
}

// benchPush pushes srcDir once per iteration to a new repository, so that
// no blob is already there.
func benchPush(b *testing.B, impl string, push pusher) {
	ctx := b.Context()
	b.SetBytes(want.Bytes)
	s := measure.SampleHeap()
	for b.Loop() {
		ref := reg.Ref(fmt.Sprintf("bench/push-%s-%s:v1", impl, strings.ToLower(rand.Text())))
		if err := push(ctx, ref); err != nil {
			b.Fatal(err)
		}
	}
	s.Report(b)
}

// BenchmarkPush archives srcDir and pushes it as a new artifact. For
// crane, which leaves archiving to the caller, it also reports the part of
// the time spent writing the tar.gz as "archive-s/op".
func BenchmarkPush(b *testing.B) {
	b.Run("sluice", func(b *testing.B) { benchPush(b, "sluice", sluicePush(b)) })
	b.Run("fluxcd", func(b *testing.B) { benchPush(b, "fluxcd", fluxPush()) })
	b.Run("crane", func(b *testing.B) {
		var archiving time.Duration
		benchPush(b, "crane", cranePush(&archiving))
		b.ReportMetric(archiving.Seconds()/float64(b.N), "archive-s/op")
	})
}
