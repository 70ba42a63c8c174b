package testenv_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/testenv"
)

// fakeAssets makes a folder holding executables named like the control
// plane's binaries.
func fakeAssets(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAssetsUsesKubebuilderAssets(t *testing.T) {
	g := NewWithT(t)
	dir := fakeAssets(t, "kube-apiserver", "etcd")
	t.Setenv(testenv.AssetsEnv, dir)
	got, err := testenv.Assets(t.Context(), testenv.AssetsOptions{GoCommand: "/nonexistent/go"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal(dir))
}

func TestAssetsRejectsIncompleteKubebuilderAssets(t *testing.T) {
	g := NewWithT(t)
	t.Setenv(testenv.AssetsEnv, fakeAssets(t, "etcd"))
	_, err := testenv.Assets(t.Context(), testenv.AssetsOptions{})
	g.Expect(err).To(MatchError(testenv.ErrAssetsMissing))
	g.Expect(err).To(MatchError(ContainSubstring("kube-apiserver")))

	dir := fakeAssets(t, "kube-apiserver")
	g.Expect(os.WriteFile(filepath.Join(dir, "etcd"), nil, 0o600)).To(Succeed())
	t.Setenv(testenv.AssetsEnv, dir)
	_, err = testenv.Assets(t.Context(), testenv.AssetsOptions{})
	g.Expect(err).To(MatchError(testenv.ErrAssetsMissing))
	g.Expect(err).To(MatchError(ContainSubstring("etcd is not an executable")))
}

func TestAssetsIgnoreEnvBuildsWithGo(t *testing.T) {
	g := NewWithT(t)
	t.Setenv(testenv.AssetsEnv, fakeAssets(t, "kube-apiserver", "etcd"))
	_, err := testenv.Assets(t.Context(), testenv.AssetsOptions{
		IgnoreEnv: true, CacheDir: t.TempDir(), GoCommand: "/nonexistent/go", Progress: io.Discard,
	})
	var be *testenv.BuildError
	g.Expect(errors.As(err, &be)).To(BeTrue(), "got %v", err)
	g.Expect(err).To(MatchError(testenv.ErrGoNotFound))
	g.Expect(err.Error()).To(ContainSubstring("go command not found"))
}

func TestAssetsRejectsBadVersions(t *testing.T) {
	for _, opts := range []testenv.AssetsOptions{
		{KubernetesVersion: "1.37.2"},
		{KubernetesVersion: "v2.0.0"},
		{KubernetesVersion: "v1.37"},
		{EtcdVersion: "latest"},
	} {
		opts.IgnoreEnv, opts.CacheDir = true, t.TempDir()
		_, err := testenv.Assets(t.Context(), opts)
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring("want a release such as")), "%+v", opts)
	}
}

// writeScript writes an executable shell script standing in for go.
func writeScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAssetsBuildFailureCarriesLogTail(t *testing.T) {
	g := NewWithT(t)
	fakeGo := writeScript(t, `i=1; while [ $i -le 60 ]; do echo "build line $i" >&2; i=$((i+1)); done; exit 1`)
	cache := t.TempDir()
	_, err := testenv.Assets(t.Context(), testenv.AssetsOptions{
		IgnoreEnv: true, CacheDir: cache, GoCommand: fakeGo, Progress: io.Discard,
	})
	g.Expect(err).To(MatchError(testenv.ErrBuildFailed))
	var be *testenv.BuildError
	g.Expect(errors.As(err, &be)).To(BeTrue())
	g.Expect(be.Binary).To(Equal("etcd"))
	g.Expect(be.Step).To(Equal("go get"))
	g.Expect(be.LogTail).To(ContainSubstring("build line 60\n"))
	g.Expect(be.LogTail).NotTo(ContainSubstring("build line 10\n"))
	g.Expect(err.Error()).To(ContainSubstring("last lines of the build log"))

	// Nothing half-built is left where a later call would take it for done.
	entries, err := os.ReadDir(cache)
	g.Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		g.Expect(e.IsDir()).To(BeFalse(), "left %s behind", e.Name())
	}
}

func TestAssetsUnreachableProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	g := NewWithT(t)
	// A port nothing listens on: take one, then free it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	proxy := "http://" + l.Addr().String()
	g.Expect(l.Close()).To(Succeed())

	_, err = testenv.Assets(t.Context(), testenv.AssetsOptions{
		IgnoreEnv: true,
		CacheDir:  t.TempDir(),
		Progress:  io.Discard,
		Env: []string{
			"GOPROXY=" + proxy, "GOMODCACHE=" + t.TempDir(), "GOFLAGS=-mod=mod -modcacherw",
			"GONOSUMDB=*", "GONOSUMCHECK=1", "GOSUMDB=off",
		},
	})
	g.Expect(err).To(MatchError(testenv.ErrModuleDownload))
	g.Expect(err.Error()).To(ContainSubstring("proxy"))
	g.Expect(err.Error()).To(ContainSubstring("connection refused"))
}

func TestAssetsCancelledContext(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fakeGo := writeScript(t, "sleep 30\n")
	_, err := testenv.Assets(ctx, testenv.AssetsOptions{
		IgnoreEnv: true, CacheDir: t.TempDir(), GoCommand: fakeGo, Progress: io.Discard,
	})
	g.Expect(err).To(MatchError(context.Canceled))
}

// TestAssetsCached checks the real provisioned binaries: the package's
// TestMain already built or found them, so this call must come from cache.
func TestAssetsCached(t *testing.T) {
	g := NewWithT(t)
	var progress strings.Builder
	dir, err := testenv.Assets(t.Context(), testenv.AssetsOptions{Progress: &progress, GoCommand: "/nonexistent/go"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(filepath.Join(dir, "kube-apiserver")).To(BeAnExistingFile())
	g.Expect(filepath.Join(dir, "etcd")).To(BeAnExistingFile())
	g.Expect(progress.String()).To(BeEmpty())
}
