package toolbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	g.Expect(progress.String()).To(MatchRegexp(`testenv: stopped waiting for tool v1 after \d+s\n$`))
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

// holdLock takes the lock of spec's folder as another process would while
// building, and returns the func that releases it.
func holdLock(t *testing.T, spec Spec) func() {
	t.Helper()
	g := NewWithT(t)
	dir, err := spec.Dir()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(os.MkdirAll(filepath.Dir(dir), 0o755)).To(Succeed())
	lock := flock.New(dir + ".lock")
	g.Expect(lock.Lock()).To(Succeed())
	var once sync.Once
	release := func() { once.Do(func() { g.Expect(lock.Unlock()).To(Succeed()) }) }
	t.Cleanup(release)
	return release
}

// provisionAsync runs Provision in a goroutine; the channel gets its result.
func provisionAsync(ctx context.Context, spec Spec) <-chan error {
	res := make(chan error, 1)
	go func() {
		_, err := Provision(ctx, spec)
		res <- err
	}()
	return res
}

func TestProvisionWaitOffTerminalIsTwoLines(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	var progress syncBuffer
	var calls atomic.Int32
	spec := fakeSpec(cache, &calls, 0, &progress)
	spec.Terminal = func(io.Writer) bool { return false }
	release := holdLock(t, spec)
	res := provisionAsync(t.Context(), spec)
	g.Eventually(progress.String).Should(ContainSubstring("waiting for another process"))

	// The other process finishes its build and lets go of the lock.
	other := fakeSpec(cache, &calls, 0, new(syncBuffer))
	tmp := t.TempDir()
	g.Expect(other.Build(t.Context(), &Builder{Out: tmp})).To(Succeed())
	g.Expect(os.Rename(tmp, filepath.Join(cache, "tool-v1"))).To(Succeed())
	release()

	g.Expect(<-res).To(Succeed())
	g.Expect(calls.Load()).To(BeEquivalentTo(1), "the waiting caller must not build")
	lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
	g.Expect(lines).To(HaveLen(2), "progress: %q", progress.String())
	g.Expect(lines[0]).To(Equal("testenv: waiting for another process building tool v1 into " + filepath.Join(cache, "tool-v1")))
	g.Expect(lines[1]).To(MatchRegexp(`^testenv: tool v1 ready after \d+s$`))
}

func TestProvisionWaitOnTerminalRedrawsElapsedTime(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	var progress syncBuffer
	var calls atomic.Int32
	spec := fakeSpec(cache, &calls, 0, &progress)
	spec.Terminal = func(io.Writer) bool { return true }
	release := holdLock(t, spec)
	res := provisionAsync(t.Context(), spec)
	// The elapsed time goes up while the other process builds.
	g.Eventually(progress.String).WithTimeout(10 * time.Second).Should(ContainSubstring("\r\x1b[K  waiting for tool v1 ... 2s"))

	other := fakeSpec(cache, &calls, 0, new(syncBuffer))
	tmp := t.TempDir()
	g.Expect(other.Build(t.Context(), &Builder{Out: tmp})).To(Succeed())
	g.Expect(os.Rename(tmp, filepath.Join(cache, "tool-v1"))).To(Succeed())
	release()

	g.Expect(<-res).To(Succeed())
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	out := progress.String()
	g.Expect(out).To(MatchRegexp(`^testenv: waiting for another process building tool v1 into %s\n`+
		`(\r\x1b\[K  waiting for tool v1 \.\.\. \d+s)+\r\x1b\[K  tool v1 ready after [2-9]s\n$`,
		regexp.QuoteMeta(filepath.Join(cache, "tool-v1"))))
	// One redraw a second: the elapsed time starts at 0s and never goes
	// back.
	var shown []int
	for _, m := range regexp.MustCompile(`waiting for tool v1 \.\.\. (\d+)s`).FindAllStringSubmatch(out, -1) {
		n, err := strconv.Atoi(m[1])
		g.Expect(err).NotTo(HaveOccurred())
		shown = append(shown, n)
	}
	g.Expect(len(shown)).To(BeNumerically(">=", 3), "%q", out)
	g.Expect(shown[0]).To(BeZero())
	g.Expect(slices.IsSorted(shown)).To(BeTrue(), "%v", shown)
	g.Expect(shown[len(shown)-1]).To(BeNumerically(">=", 2))
}

func TestProvisionWaitThenBuildWhenOtherFailed(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	var progress syncBuffer
	var calls atomic.Int32
	spec := fakeSpec(cache, &calls, 0, &progress)
	spec.Terminal = func(io.Writer) bool { return false }
	release := holdLock(t, spec)
	res := provisionAsync(t.Context(), spec)
	g.Eventually(progress.String).Should(ContainSubstring("waiting for another process"))
	// The other process gives up without a result.
	release()

	g.Expect(<-res).To(Succeed())
	g.Expect(calls.Load()).To(BeEquivalentTo(1), "the waiting caller builds itself")
	g.Expect(progress.String()).To(MatchRegexp(`testenv: tool v1 still incomplete after \d+s \(the other build failed\); building it here\ntestenv: building tool v1 from source`))
	g.Expect(filepath.Join(cache, "tool-v1", "tool")).To(BeAnExistingFile())
}

func TestProvisionCustomCheck(t *testing.T) {
	g := NewWithT(t)
	errMissing := errors.New("tool parts missing")
	spec := fakeSpec(t.TempDir(), new(atomic.Int32), 0, new(syncBuffer))
	spec.Check = func(dir string) error {
		if _, err := os.Stat(filepath.Join(dir, "extra")); err != nil {
			return fmt.Errorf("%w: %w", errMissing, err)
		}
		return nil
	}
	// The default check would accept this build; the custom one does not.
	_, err := Provision(t.Context(), spec)
	g.Expect(err).To(MatchError(errMissing))
	g.Expect(err).To(MatchError(ErrBuildFailed))

	build := spec.Build
	spec.Build = func(ctx context.Context, b *Builder) error {
		if err := build(ctx, b); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(b.Out, "extra"), nil, 0o600)
	}
	dir, err := Provision(t.Context(), spec)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(filepath.Join(dir, "extra")).To(BeAnExistingFile())
}

func TestProgressStepOnTerminal(t *testing.T) {
	g := NewWithT(t)
	var out syncBuffer
	p := NewProgress(&out, true)
	p.Step("building tool")(nil)
	p.Step("building other")(errors.New("boom"))
	g.Expect(out.String()).To(MatchRegexp(`^(\r\x1b\[K  building tool \.\.\. 0s)+\r\x1b\[K  building tool \.\.\. done in 0s\n` +
		`(\r\x1b\[K  building other \.\.\. 0s)+\r\x1b\[K  building other \.\.\. failed in 0s\n$`))

	var quiet syncBuffer
	q := NewProgress(&quiet, false)
	q.Step("building tool")(nil)
	q.End("not shown")
	g.Expect(quiet.String()).To(BeEmpty())
	g.Expect(IsTerminal(&quiet)).To(BeFalse())
}
