package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

// fakeBuild writes both binaries into out after a pause, counting calls.
func fakeBuild(calls *atomic.Int32, pause time.Duration) func(context.Context, string) error {
	return func(ctx context.Context, out string) error {
		calls.Add(1)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, name := range []string{kubeAPIServerBinary, etcdBinary} {
			if err := os.WriteFile(filepath.Join(out, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				return err
			}
		}
		return nil
	}
}

func testProvisioner(t *testing.T, cache string, build func(context.Context, string) error) (*provisioner, *syncWriter) {
	t.Helper()
	out := &syncWriter{w: new(bytes.Buffer)}
	p, err := newProvisioner(AssetsOptions{IgnoreEnv: true, CacheDir: cache, Progress: out})
	if err != nil {
		t.Fatal(err)
	}
	p.build = func(ctx context.Context, b *toolbuild.Builder) error { return build(ctx, b.Out) }
	return p, out
}

func TestProvisionConcurrentCallersBuildOnce(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	var calls atomic.Int32
	var wg sync.WaitGroup
	dirs := make([]string, 4)
	errs := make([]error, 4)
	for i := range dirs {
		p, _ := testProvisioner(t, cache, fakeBuild(&calls, 300*time.Millisecond))
		wg.Go(func() { dirs[i], errs[i] = p.provision(t.Context()) })
	}
	wg.Wait()
	g.Expect(errors.Join(errs...)).NotTo(HaveOccurred())
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	for _, d := range dirs {
		g.Expect(d).To(Equal(filepath.Join(cache, DefaultKubernetesVersion)))
	}
	g.Expect(checkAssets(dirs[0])).To(Succeed())

	// A cached folder is returned without building or locking.
	p, out := testProvisioner(t, cache, fakeBuild(&calls, 0))
	start := time.Now()
	_, err := p.provision(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second))
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	g.Expect(out.String()).To(BeEmpty())
}

func TestProvisionFailureLeavesNothingBehind(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	p, _ := testProvisioner(t, cache, func(_ context.Context, out string) error {
		// Half the work, then a failure.
		_ = os.WriteFile(filepath.Join(out, etcdBinary), []byte("x"), 0o755)
		return errors.New("boom")
	})
	_, err := p.provision(t.Context())
	g.Expect(err).To(MatchError("boom"))
	g.Expect(filepath.Join(cache, DefaultKubernetesVersion)).NotTo(BeADirectory())
	leftovers, _ := filepath.Glob(filepath.Join(cache, ".build-*"))
	g.Expect(leftovers).To(BeEmpty())

	// A build that "succeeds" without both binaries is not accepted either.
	p, _ = testProvisioner(t, cache, func(context.Context, string) error { return nil })
	_, err = p.provision(t.Context())
	g.Expect(err).To(MatchError(ErrAssetsMissing))
}

func TestProvisionReplacesIncompleteFolder(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	dir := filepath.Join(cache, DefaultKubernetesVersion)
	g.Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(dir, etcdBinary), []byte("x"), 0o755)).To(Succeed())
	var calls atomic.Int32
	p, _ := testProvisioner(t, cache, fakeBuild(&calls, 0))
	got, err := p.provision(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal(dir))
	g.Expect(calls.Load()).To(BeEquivalentTo(1))
	g.Expect(checkAssets(dir)).To(Succeed())
}

func TestProvisionWaitHonoursContext(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	lock := flock.New(filepath.Join(cache, DefaultKubernetesVersion) + ".lock")
	g.Expect(lock.Lock()).To(Succeed())
	defer func() { _ = lock.Unlock() }()

	var calls atomic.Int32
	p, out := testProvisioner(t, cache, fakeBuild(&calls, 0))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := p.provision(ctx)
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
	g.Expect(out.String()).To(ContainSubstring("waiting for another process"))
	g.Expect(calls.Load()).To(BeZero())
}

// helperEnv makes the test binary act as a second process calling provision.
const helperEnv = "SLUICE_TESTENV_PROVISION_HELPER"

func TestProvisionHelperProcess(t *testing.T) {
	cache := os.Getenv(helperEnv)
	if cache == "" {
		t.Skip("helper for TestProvisionSecondProcessWaitsAndReuses")
	}
	var out bytes.Buffer
	p, err := newProvisioner(AssetsOptions{IgnoreEnv: true, CacheDir: cache, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	// Report the wait as soon as it starts, so the parent can go on: a pipe,
	// not a terminal, so one line when the wait starts and one when it ends.
	p.spec.Progress = os.Stderr
	p.build = func(context.Context, *toolbuild.Builder) error {
		return errors.New("the second process must not build")
	}
	dir, err := p.provision(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("DIR=" + dir)
}

func TestProvisionSecondProcessWaitsAndReuses(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	final := filepath.Join(cache, DefaultKubernetesVersion)

	// This process plays the builder: it holds the lock while the other
	// process starts.
	lock := flock.New(final + ".lock")
	g.Expect(lock.Lock()).To(Succeed())

	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestProvisionHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+cache)
	var stdout bytes.Buffer
	stderr := &notifyWriter{want: "waiting for another process", seen: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	g.Expect(cmd.Start()).To(Succeed())

	select {
	case <-stderr.seen:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("second process did not wait for the lock; stderr: %s", stderr.String())
	}
	// Finish "building" and release the lock.
	var calls atomic.Int32
	tmp := t.TempDir()
	g.Expect(fakeBuild(&calls, 0)(t.Context(), tmp)).To(Succeed())
	g.Expect(os.Rename(tmp, final)).To(Succeed())
	g.Expect(lock.Unlock()).To(Succeed())

	g.Expect(cmd.Wait()).To(Succeed(), "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	g.Expect(stdout.String()).To(ContainSubstring("DIR=" + final + "\n"))

	// Off a terminal the wait is two lines: when it starts, when it ends.
	describe := "etcd " + DefaultEtcdVersion + " and kube-apiserver " + DefaultKubernetesVersion
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	g.Expect(lines).To(HaveLen(2), "stderr: %q", stderr.String())
	g.Expect(lines[0]).To(Equal("testenv: waiting for another process building " + describe + " into " + final))
	g.Expect(lines[1]).To(MatchRegexp(`^testenv: %s ready after \d+s$`, regexp.QuoteMeta(describe)))
	g.Expect(stderr.String()).NotTo(ContainSubstring("\r"))
}

func TestProvisionWaitOnTerminalShowsElapsedTime(t *testing.T) {
	g := NewWithT(t)
	cache := t.TempDir()
	final := filepath.Join(cache, DefaultKubernetesVersion)
	lock := flock.New(final + ".lock")
	g.Expect(lock.Lock()).To(Succeed())

	var calls atomic.Int32
	p, out := testProvisioner(t, cache, fakeBuild(&calls, 0))
	p.spec.Terminal = func(io.Writer) bool { return true }
	type result struct {
		dir string
		err error
	}
	res := make(chan result, 1)
	go func() {
		dir, err := p.provision(t.Context())
		res <- result{dir, err}
	}()
	// Let the waiting line be redrawn a few times, then "finish building".
	g.Eventually(out.String).WithTimeout(10 * time.Second).Should(ContainSubstring("... 1s"))
	tmp := t.TempDir()
	g.Expect(fakeBuild(&calls, 0)(t.Context(), tmp)).To(Succeed())
	g.Expect(os.Rename(tmp, final)).To(Succeed())
	g.Expect(lock.Unlock()).To(Succeed())

	r := <-res
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.dir).To(Equal(final))
	g.Expect(calls.Load()).To(BeEquivalentTo(1), "only the fake builder above ran")
	describe := regexp.QuoteMeta("etcd " + DefaultEtcdVersion + " and kube-apiserver " + DefaultKubernetesVersion)
	g.Expect(out.String()).To(MatchRegexp(`^testenv: waiting for another process building %s into %s\n`+
		`(\r\x1b\[K  waiting for %s \.\.\. \d+s)+`+
		`\r\x1b\[K  %s ready after \d+s\n$`,
		describe, regexp.QuoteMeta(final), describe, describe))
	g.Expect(out.String()).To(ContainSubstring("waiting for etcd " + DefaultEtcdVersion + " and kube-apiserver " + DefaultKubernetesVersion + " ... 0s"))
}

func TestStagingModules(t *testing.T) {
	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "go.mod")
	g.Expect(os.WriteFile(path, []byte(`module k8s.io/kubernetes

go 1.26.0

require k8s.io/api v0.0.0

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	example.com/other => example.com/other v1.2.3
)

replace k8s.io/kubectl => ./staging/src/k8s.io/kubectl
`), 0o600)).To(Succeed())
	mods, err := stagingModules(path)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(mods).To(ConsistOf("k8s.io/api", "k8s.io/client-go", "k8s.io/kubectl"))

	g.Expect(os.WriteFile(path, []byte("module x\n"), 0o600)).To(Succeed())
	_, err = stagingModules(path)
	g.Expect(err).To(MatchError(ContainSubstring("no staging modules")))
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// notifyWriter closes seen once the text written contains want.
type notifyWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (n *notifyWriter) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.buf.Write(p)
	if strings.Contains(n.buf.String(), n.want) {
		n.once.Do(func() { close(n.seen) })
	}
	return len(p), nil
}

func (n *notifyWriter) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.buf.String()
}
