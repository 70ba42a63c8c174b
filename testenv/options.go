package testenv

import (
	"io/fs"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// Option configures [Start] and [RunMain].
type Option func(*options)

type options struct {
	assets       AssetsOptions
	scheme       *runtime.Scheme
	crdPaths     []string
	crdFS        []crdSource
	manager      *manager.Options
	startTimeout time.Duration
	stopTimeout  time.Duration
	apiFlags     map[string]string
}

type crdSource struct {
	fsys  fs.FS
	paths []string
}

func newOptions(opts []Option) options {
	o := options{
		startTimeout: 2 * time.Minute,
		stopTimeout:  time.Minute,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithAssets sets how the control-plane binaries are found or built.
// Default: the zero AssetsOptions (KUBEBUILDER_ASSETS, else the per-user
// cache).
func WithAssets(a AssetsOptions) Option { return func(o *options) { o.assets = a } }

// WithScheme sets the scheme of [Environment.Client] and of the manager.
// Default: client-go's scheme (k8s.io/client-go/kubernetes/scheme) with the
// apiextensions v1 types added.
func WithScheme(s *runtime.Scheme) Option { return func(o *options) { o.scheme = s } }

// WithCRDPaths installs the CRDs found in these files or folders (YAML or
// JSON, several documents per file allowed) before Start returns, and waits
// until they are served. A missing path is an error.
func WithCRDPaths(paths ...string) Option {
	return func(o *options) { o.crdPaths = append(o.crdPaths, paths...) }
}

// WithCRDsFS installs the CRDs found under the given paths of fsys (for
// example an embed.FS of generated manifests), like [WithCRDPaths]. With no
// paths it reads the whole file system.
func WithCRDsFS(fsys fs.FS, paths ...string) Option {
	return func(o *options) { o.crdFS = append(o.crdFS, crdSource{fsys: fsys, paths: paths}) }
}

// WithManager creates a controller-runtime manager with these options and
// starts it before Start returns; controllers may be added to it afterwards.
// Metrics and health probe servers are off unless the options set an
// address. Default: no manager.
func WithManager(mo manager.Options) Option {
	return func(o *options) { o.manager = &mo }
}

// WithStartTimeout bounds the control plane's start-up. Default 2 minutes,
// generous for a busy 2-core machine where it takes about 5 seconds.
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// WithAPIServerFlag sets a kube-apiserver command-line flag, such as
// WithAPIServerFlag("feature-gates", "X=true").
func WithAPIServerFlag(name, value string) Option {
	return func(o *options) {
		if o.apiFlags == nil {
			o.apiFlags = map[string]string{}
		}
		o.apiFlags[name] = value
	}
}
