package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"

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
	// the binary being built, or the wait, with the elapsed time redrawn
	// every second, and a line when done ("... ready after 12s" for a
	// wait); elsewhere a build gets one short line and a wait two, when it
	// starts and when it ends. Default os.Stderr; use io.Discard to silence
	// it.
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
// others wait for the lock, showing on Progress how long they have waited,
// and reuse its result. A folder left incomplete by other means is built
// again.
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

// assetsBinaries returns the binaries a complete assets folder holds.
func assetsBinaries() []string { return []string{kubeAPIServerBinary, etcdBinary} }

// checkAssets reports whether dir holds both control-plane binaries.
func checkAssets(dir string) error {
	spec := toolbuild.Spec{Binaries: assetsBinaries()}
	if err := spec.Complete(dir); err != nil {
		return fmt.Errorf("%w: %w", ErrAssetsMissing, err)
	}
	return nil
}

// provisioner builds and caches one version pair through
// toolbuild.Provision.
type provisioner struct {
	spec toolbuild.Spec
	// build writes both binaries into b.Out; replaced in tests.
	build func(ctx context.Context, b *toolbuild.Builder) error
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
		d, err := toolbuild.DefaultCacheDir()
		if err != nil {
			return nil, fmt.Errorf("%w (set AssetsOptions.CacheDir)", err)
		}
		cacheDir = d
	}
	dirName := kubeVersion
	if etcdVersion != DefaultEtcdVersion {
		dirName += "-etcd-" + etcdVersion
	}
	b := &builder{kubeVersion: kubeVersion, etcdVersion: etcdVersion}
	return &provisioner{
		spec: toolbuild.Spec{
			Name:      dirName,
			Describe:  fmt.Sprintf("etcd %s and kube-apiserver %s", etcdVersion, kubeVersion),
			Estimate:  "about 15 minutes on 2 cores",
			Binaries:  assetsBinaries(),
			Check:     checkAssets,
			CacheDir:  cacheDir,
			GoCommand: opts.GoCommand,
			Env:       opts.Env,
			Progress:  opts.Progress,
		},
		build: b.build,
	}, nil
}

func (p *provisioner) provision(ctx context.Context) (string, error) {
	spec := p.spec
	spec.Build = p.build
	return toolbuild.Provision(ctx, spec)
}
