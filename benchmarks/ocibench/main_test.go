package ocibench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// The fixture and the registry, set up once by TestMain.
var (
	// srcDir is the generated directory every client pushes.
	srcDir string
	// want is the shape of srcDir, which every extraction must reproduce.
	want tree
	// reg serves every push and pull.
	reg *registry.Registry
	// pullRef is the artifact every client pulls, pushed by Sluice.
	pullRef string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		// Plain `go test` runs no benchmark: skip the costly fixture.
		return m.Run()
	}
	root, err := os.MkdirTemp("", "ocibench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(root) }()
	defer func() {
		if reg != nil {
			_ = reg.Close()
		}
	}()
	if err := setup(root); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// setup writes the fixture under root, starts the registry and pushes the
// artifact the pull benchmarks read.
func setup(root string) error {
	start := time.Now()
	srcDir = filepath.Join(root, "src")
	var err error
	if want, err = writeFixture(srcDir); err != nil {
		return fmt.Errorf("write fixture: %w", err)
	}
	generated := time.Since(start).Round(time.Millisecond)

	// The registry serves requests with contexts derived from this one for
	// its whole life, so it gets no deadline.
	reg, err = registry.New(context.Background(), registry.WithFilesystemStorage(filepath.Join(root, "registry")))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		return err
	}
	pullRef = reg.Ref("bench/pull:v1")
	res, err := c.Push(ctx, pullRef, srcDir, oci.PushOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "fixture: %d files in %d directories, %.1f MB, generated in %s; layer %.1f MB gzip; registry %s (plain HTTP, filesystem storage)\n",
		want.Files, want.Dirs, float64(want.Bytes)/1e6, generated, float64(res.Layer.Size)/1e6, reg.Host())
	return nil
}
