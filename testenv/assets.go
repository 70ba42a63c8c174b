package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/gofrs/flock"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

const (
	// DefaultKubernetesVersion is the kube-apiserver version [Assets] builds
	// when AssetsOptions.KubernetesVersion is empty.
	DefaultKubernetesVersion = "v1.37.2"

	// DefaultEtcdVersion is the etcd version [Assets] builds when
	// AssetsOptions.EtcdVersion is empty.
	DefaultEtcdVersion = "v3.6.16"

	// AssetsEnv is the environment variable controller-runtime's envtest reads
	// for the directory holding kube-apiserver and etcd. [Assets] uses it
	// when set.
	AssetsEnv = "KUBEBUILDER_ASSETS"
)

// The binaries a control plane needs, by the names envtest expects.
const (
	kubeAPIServerBinary = "kube-apiserver"
	etcdBinary          = "etcd"
)

var (
	kubeVersionPattern = regexp.MustCompile(`^v1\.(\d+)\.(\d+)$`)
	etcdVersionPattern = regexp.MustCompile(`^v3\.\d+\.\d+$`)
)

// AssetsOptions configures [Assets]. The zero value builds the default
// versions into the per-user cache unless KUBEBUILDER_ASSETS is set.
type AssetsOptions struct {
	// IgnoreEnv makes Assets ignore KUBEBUILDER_ASSETS. Default false: a set
	// KUBEBUILDER_ASSETS wins over building.
	IgnoreEnv bool

	// CacheDir is where built binaries are kept, one folder per version
	// pair. Default: $XDG_CACHE_HOME/sluice/testenv (os.UserCacheDir).
	CacheDir string

	// KubernetesVersion is the k8s.io/kubernetes release to build
	// kube-apiserver from, such as "v1.37.2". Default
	// [DefaultKubernetesVersion].
	KubernetesVersion string

	// EtcdVersion is the go.etcd.io/etcd/server/v3 release to build etcd
	// from. Default [DefaultEtcdVersion].
	EtcdVersion string

	// GoCommand is the go command used to build. Default: "go" from PATH.
	GoCommand string

	// Env is appended to the environment of every go command, after the
	// settings Assets needs (GOWORK=off, GOFLAGS=-mod=mod, CGO_ENABLED=0).
	// Use it to point GOPROXY or GOMODCACHE elsewhere.
	Env []string

	// Progress receives progress lines while binaries are built or while
	// waiting for another process that builds them. On a terminal it shows
	// the binary and the elapsed time; elsewhere it gets one short line.
	// Default os.Stderr; use io.Discard to silence it.
	Progress io.Writer
}

// Assets returns a directory holding kube-apiserver and etcd, ready to use
// as KUBEBUILDER_ASSETS or as envtest's BinaryAssetsDirectory.
//
// When KUBEBUILDER_ASSETS is set (and IgnoreEnv is false) Assets checks that
// it holds both binaries and returns it. Otherwise it returns the cache
// folder for the requested versions, building both binaries from source
// through the Go module proxy first if they are not there yet: etcd from a
// generated module that calls etcdmain.Main, and kube-apiserver from a
// generated module that requires k8s.io/kubernetes and pins every staging
// module that k8s.io/kubernetes' go.mod replaces with a local folder. A cold
// build takes about 15 minutes on 2 cores; a cached result returns at once.
//
// Several processes may call Assets at the same time: one builds under a
// file lock, into a temporary folder renamed into place when complete; the
// others wait for the lock and reuse its result.
//
// Assets returns [ErrAssetsMissing] for a KUBEBUILDER_ASSETS folder that
// lacks a binary, and a [*BuildError] that unwraps to [ErrGoNotFound],
// [ErrModuleDownload] or [ErrBuildFailed] when a build fails. Waiting for
// the lock and building stop when ctx is done.
func Assets(ctx context.Context, opts AssetsOptions) (string, error) {
	if !opts.IgnoreEnv {
		if dir := os.Getenv(AssetsEnv); dir != "" {
			if err := checkAssets(dir); err != nil {
				return "", fmt.Errorf("%s=%s: %w", AssetsEnv, dir, err)
			}
			return dir, nil
		}
	}
	p, err := newProvisioner(opts)
	if err != nil {
		return "", err
	}
	return p.provision(ctx)
}

// checkAssets reports whether dir holds both control-plane binaries.
func checkAssets(dir string) error {
	for _, name := range []string{kubeAPIServerBinary, etcdBinary} {
		fi, err := os.Stat(filepath.Join(dir, name)) //nolint:gosec // G703: the caller's own assets folder, only looked at
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrAssetsMissing, name, err)
		}
		if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("%w: %s is not an executable file", ErrAssetsMissing, name)
		}
	}
	return nil
}

// provisioner builds and caches one version pair.
type provisioner struct {
	dir      string // final folder, created only by an atomic rename
	progress *toolbuild.Progress
	// build writes both binaries into out; replaced in tests.
	build func(ctx context.Context, out string) error
	// describe says what is being built, for progress lines.
	describe string
}

func newProvisioner(opts AssetsOptions) (*provisioner, error) {
	kubeVersion := opts.KubernetesVersion
	if kubeVersion == "" {
		kubeVersion = DefaultKubernetesVersion
	}
	etcdVersion := opts.EtcdVersion
	if etcdVersion == "" {
		etcdVersion = DefaultEtcdVersion
	}
	if !kubeVersionPattern.MatchString(kubeVersion) {
		return nil, fmt.Errorf("kubernetes version %q: want a release such as %s", kubeVersion, DefaultKubernetesVersion)
	}
	if !etcdVersionPattern.MatchString(etcdVersion) {
		return nil, fmt.Errorf("etcd version %q: want a release such as %s", etcdVersion, DefaultEtcdVersion)
	}
	cacheDir := opts.CacheDir
	if cacheDir == "" {
		userCache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("find the user cache folder (set AssetsOptions.CacheDir): %w", err)
		}
		cacheDir = filepath.Join(userCache, "sluice", "testenv")
	}
	dirName := kubeVersion
	if etcdVersion != DefaultEtcdVersion {
		dirName += "-etcd-" + etcdVersion
	}
	w := opts.Progress
	if w == nil {
		w = os.Stderr
	}
	b := &builder{
		goCommand:   opts.GoCommand,
		env:         opts.Env,
		kubeVersion: kubeVersion,
		etcdVersion: etcdVersion,
		logPath:     filepath.Join(cacheDir, dirName+".log"),
	}
	p := &provisioner{
		dir:      filepath.Join(cacheDir, dirName),
		progress: toolbuild.NewProgress(w),
		describe: fmt.Sprintf("etcd %s and kube-apiserver %s", etcdVersion, kubeVersion),
	}
	b.progress = p.progress
	p.build = b.build
	return p, nil
}

func (p *provisioner) provision(ctx context.Context) (string, error) {
	if checkAssets(p.dir) == nil {
		return p.dir, nil
	}
	parent := filepath.Dir(p.dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return "", fmt.Errorf("create cache folder: %w", err)
	}

	lock := flock.New(p.dir + ".lock")
	locked, err := lock.TryLock()
	if err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Path(), err)
	}
	if !locked {
		p.progress.Line("testenv: waiting for another process building %s into %s", p.describe, p.dir)
		locked, err = lock.TryLockContext(ctx, 200*time.Millisecond)
		if err != nil {
			return "", fmt.Errorf("wait for lock %s: %w", lock.Path(), err)
		}
		if !locked {
			return "", fmt.Errorf("wait for lock %s: %w", lock.Path(), context.Cause(ctx))
		}
	}
	defer func() { _ = lock.Unlock() }()

	// Another process may have finished while we waited.
	if checkAssets(p.dir) == nil {
		return p.dir, nil
	}
	// A folder without both binaries was not made by us (we only rename
	// complete ones into place): clear it so the rename can succeed.
	if _, err := os.Stat(p.dir); err == nil {
		if err := os.RemoveAll(p.dir); err != nil {
			return "", fmt.Errorf("remove incomplete %s: %w", p.dir, err)
		}
	}

	tmp, err := os.MkdirTemp(parent, ".build-")
	if err != nil {
		return "", fmt.Errorf("create build folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	start := time.Now()
	p.progress.Line("testenv: building %s from source into %s (first run only; about 15 minutes on 2 cores)", p.describe, p.dir)
	if err := p.build(ctx, tmp); err != nil {
		return "", err
	}
	if err := checkAssets(tmp); err != nil {
		return "", fmt.Errorf("build %s: %w", p.describe, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { //nolint:gosec // a folder of executables others may run
		return "", fmt.Errorf("build %s: %w", p.describe, err)
	}
	if err := os.Rename(tmp, p.dir); err != nil {
		return "", fmt.Errorf("move built binaries into %s: %w", p.dir, err)
	}
	p.progress.End("testenv: built %s in %s", p.describe, time.Since(start).Round(time.Second))
	return p.dir, nil
}
