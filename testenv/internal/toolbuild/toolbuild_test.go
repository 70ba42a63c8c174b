package toolbuild

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"
	. "github.com/onsi/gomega"
)

// fakeSpec writes tool and data/ into the output after a pause, counting
// calls.
func fakeSpec(cache string, calls *atomic.Int32, pause time.Duration, progress *syncBuffer) Spec {
	return Spec{
		Name:     "tool-v1",
		Describe: "tool v1",
		Estimate: "a moment",
		Binaries: []string{"tool"},
		Files:    []string{"data"},
		CacheDir: cache,
		Progress: progress,
		Build: func(ctx context.Context, b *Builder) error {
			calls.Add(1)
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := os.Mkdir(filepath.Join(b.Out, "data"), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(b.Out, "tool"), []byte("#!/bin/sh\n"), 0o755)
		},
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func TestProvisionConcurrentCallersBuildOnce(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	var calls atomic.Int32
	var progress syncBuffer
	var wg sync.WaitGroup
	dirs := make([]string, 4)
	errs := make([]error, 4)
	for i := range dirs {
		wg.Go(func() {
			dirs[i], errs[i] = Provision(t.Context(), fakeSpec(cache, &calls, 300*time.Millisecond, &progress))
		})
	}
	wg.Wait()
	g.Expect(errors.Join(errs...)).NotTo(HaveOccurred())
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	for _, d := range dirs {
		g.Expect(d).To(Equal(filepath.Join(cache, "tool-v1")))
	}
	g.Expect(progress.String()).To(ContainSubstring("testenv: building tool v1 from source into " + dirs[0] + " (first run only; a moment)"))
	g.Expect(filepath.Join(cache, "tool-v1.log")).To(BeAnExistingFile())

	// A cached folder is returned without building and without output.
	var quiet syncBuffer
	start := time.Now()
	dir, err := Provision(t.Context(), fakeSpec(cache, &calls, 0, &quiet))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(dir).To(Equal(dirs[0]))
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second))
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	g.Expect(quiet.String()).To(BeEmpty())
}

func TestProvisionIncompleteBuildLeavesNothingBehind(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	spec := fakeSpec(cache, new(atomic.Int32), 0, new(syncBuffer))
	spec.Files = append(spec.Files, "missing.txt")
	_, err := Provision(t.Context(), spec)
	g.Expect(err).To(MatchError(ErrBuildFailed))
	g.Expect(err.Error()).To(ContainSubstring("missing.txt"))
	entries, err := os.ReadDir(cache)
	g.Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		g.Expect(e.IsDir()).To(BeFalse(), "left behind: %s", e.Name())
	}
}

func TestProvisionReplacesIncompleteFolder(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	g.Expect(os.MkdirAll(filepath.Join(cache, "tool-v1", "data"), 0o755)).To(Succeed())
	var calls atomic.Int32
	dir, err := Provision(t.Context(), fakeSpec(cache, &calls, 0, new(syncBuffer)))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	g.Expect(filepath.Join(dir, "tool")).To(BeAnExistingFile())
}

func TestProvisionBuildErrorPassesThrough(t *testing.T) {
	g := NewWithT(t)
	spec := fakeSpec(t.TempDir(), new(atomic.Int32), 0, new(syncBuffer))
	boom := &BuildError{Binary: "tool", Step: "go build", LogTail: "x.go:1: oops\n", Err: ErrBuildFailed}
	spec.Build = func(context.Context, *Builder) error { return boom }
	_, err := Provision(t.Context(), spec)
	g.Expect(err).To(BeIdenticalTo(error(boom)))
	g.Expect(err.Error()).To(Equal("build tool: go build: build failed\n--- last lines of the build log ---\nx.go:1: oops\n"))
}

func TestProvisionWaitStopsWithContext(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	g.Expect(os.MkdirAll(cache, 0o755)).To(Succeed())
	lock := flock.New(filepath.Join(cache, "tool-v1.lock"))
	g.Expect(lock.Lock()).To(Succeed())
	defer func() { _ = lock.Unlock() }()

	var progress syncBuffer
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err := Provision(ctx, fakeSpec(cache, new(atomic.Int32), 0, &progress))
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
	g.Expect(progress.String()).To(ContainSubstring("waiting for another process building tool v1"))
}

func TestProvisionRejectsBadSpecs(t *testing.T) {
	g := NewWithT(t)
	good := fakeSpec(t.TempDir(), new(atomic.Int32), 0, new(syncBuffer))
	for _, name := range []string{"", "a/b", "..", ".hidden"} {
		spec := good
		spec.Name = name
		_, err := Provision(t.Context(), spec)
		g.Expect(err).To(MatchError(ContainSubstring("single path element")), name)
	}
	spec := good
	spec.Build = nil
	_, err := Provision(t.Context(), spec)
	g.Expect(err).To(MatchError(ContainSubstring("needs Build")))
}

func TestBuilderGoErrors(t *testing.T) {
	t.Run("no go", func(t *testing.T) {
		g := NewWithT(t)
		spec := fakeSpec(t.TempDir(), new(atomic.Int32), 0, new(syncBuffer))
		spec.GoCommand = "/nonexistent/go"
		spec.Build = func(ctx context.Context, b *Builder) error {
			_, err := b.Go(ctx, "tool", "go version", b.Out, nil, "version")
			return err
		}
		_, err := Provision(t.Context(), spec)
		g.Expect(err).To(MatchError(ErrGoNotFound))
	})
	t.Run("download and build failures", func(t *testing.T) {
		for output, want := range map[string]error{
			"dial tcp: lookup proxy.golang.org: no such host": ErrModuleDownload,
			"main.go:3:2: undefined: x":                       ErrBuildFailed,
		} {
			g := NewWithT(t)
			fakeGo := filepath.Join(t.TempDir(), "go")
			g.Expect(os.WriteFile(fakeGo, []byte("#!/bin/sh\necho started\necho '"+output+"' >&2\nexit 1\n"), 0o700)).To(Succeed())
			spec := fakeSpec(t.TempDir(), new(atomic.Int32), 0, new(syncBuffer))
			spec.GoCommand = fakeGo
			spec.Build = func(ctx context.Context, b *Builder) error {
				_, err := b.Go(ctx, "tool", "go build", b.Out, []string{"X=1"}, "build")
				return err
			}
			_, err := Provision(t.Context(), spec)
			g.Expect(err).To(MatchError(want))
			var be *BuildError
			g.Expect(errors.As(err, &be)).To(BeTrue())
			g.Expect(be.Step).To(Equal("go build"))
			g.Expect(be.LogTail).To(ContainSubstring("started\n"))
			g.Expect(be.LogTail).To(ContainSubstring(output))
		}
	})
	t.Run("stdout is returned", func(t *testing.T) {
		g := NewWithT(t)
		fakeGo := filepath.Join(t.TempDir(), "go")
		g.Expect(os.WriteFile(fakeGo, []byte("#!/bin/sh\necho \"$GOWORK $GOFLAGS $X\"\necho noise >&2\n"), 0o700)).To(Succeed())
		spec := fakeSpec(t.TempDir(), new(atomic.Int32), 0, new(syncBuffer))
		spec.GoCommand = fakeGo
		spec.Env = []string{"X=spec"}
		var got []byte
		spec.Build = func(ctx context.Context, b *Builder) error {
			var err error
			got, err = b.Go(ctx, "tool", "go env", b.Out, []string{"X=call"}, "env")
			return err
		}
		_, _ = Provision(t.Context(), spec)
		g.Expect(string(got)).To(Equal("off -mod=mod spec\n"))
	})
}
