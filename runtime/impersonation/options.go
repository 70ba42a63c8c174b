package impersonation

import (
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// Option configures an [Impersonator].
type Option func(*options)

type options struct {
	defaultServiceAccount string
	requireServiceAccount bool
	allowExecPlugins      bool
	scheme                *runtime.Scheme
	mapper                apimeta.RESTMapper
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

// WithScheme sets the scheme of the clients built, shared by them. Default:
// a scheme of client-go's built-in types private to the [Impersonator]
// (never client-go's global, mutable scheme.Scheme), built on the first
// [Impersonator.Client] call. A nil scheme means the default.
func WithScheme(s *runtime.Scheme) Option {
	return func(o *options) { o.scheme = s }
}

// WithRESTMapper sets the REST mapper of the clients built, so that they
// share one discovery cache. Default: each client discovers lazily.
func WithRESTMapper(m apimeta.RESTMapper) Option {
	return func(o *options) { o.mapper = m }
}

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
