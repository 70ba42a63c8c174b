package impersonation

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// Option configures an [Impersonator].
type Option func(*options)

type options struct {
	defaultServiceAccount string
	requireServiceAccount bool
	allowExecPlugins      bool
	scheme                *runtime.Scheme
	mapper                meta.RESTMapper
}

// WithDefaultServiceAccount names the service account to impersonate, in the
// object's namespace, when the object names none: the multi-tenancy
// lockdown, which keeps tenants from acting with the controller's own
// identity. Default: none, such objects use the controller's identity
// (unless [WithRequireServiceAccount]). It does not apply to kubeconfig
// clients.
func WithDefaultServiceAccount(name string) Option {
	return func(o *options) { o.defaultServiceAccount = name }
}

// WithRequireServiceAccount refuses, with [ErrServiceAccountRequired], to
// build a local client when neither the object nor
// [WithDefaultServiceAccount] names a service account. Default: off.
func WithRequireServiceAccount() Option {
	return func(o *options) { o.requireServiceAccount = true }
}

// WithAllowExecPlugins lets kubeconfig Secrets run exec credential plugins
// and use auth-provider plugins. Default: both refused.
func WithAllowExecPlugins() Option {
	return func(o *options) { o.allowExecPlugins = true }
}

// WithScheme sets the scheme of the clients built. Default: client-go's
// built-in types.
func WithScheme(s *runtime.Scheme) Option {
	return func(o *options) { o.scheme = s }
}

// WithRESTMapper sets the REST mapper of the clients built, so that they
// share one discovery cache. Default: each client discovers lazily.
func WithRESTMapper(m meta.RESTMapper) Option {
	return func(o *options) { o.mapper = m }
}

func newOptions(opts []Option) options {
	o := options{scheme: clientgoscheme.Scheme}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
