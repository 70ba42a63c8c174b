package registry

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Option configures a [Registry] created by [New]. Options are applied in
// order; every default and every conflict check lives in [New].
type Option func(*options)

// options is the private state the Option functions fill in.
type options struct {
	tls       bool
	users     []Credentials
	fsDir     string
	fsSet     bool
	referrers bool
	hooks     []func(*http.Request)
	logOutput io.Writer
	logSet    bool
}

// WithTLS serves HTTPS with a certificate for 127.0.0.1 and localhost signed
// by a CA generated for this registry (ECDSA P-256). Clients trust it through
// [Registry.Transport], [Registry.TLSConfig], [Registry.CertPool] or
// [Registry.CACertPEM]. Default: plain HTTP.
func WithTLS() Option {
	return func(o *options) { o.tls = true }
}

// WithUser adds a user to the registry's htpasswd file and turns on HTTP
// basic authentication: every request, including GET /v2/, then needs the
// credentials of one of the users, else the registry answers 401 with a
// "WWW-Authenticate: Basic" challenge. WithUser may be given more than once;
// names must be unique, non-empty and free of ':' and line breaks. Default:
// no users and no authentication.
//
// Authentication works over plain HTTP too (credentials then travel in clear
// text on the loopback interface); combine it with [WithTLS] to test what
// production registries do.
func WithUser(name, password string) Option {
	return func(o *options) {
		o.users = append(o.users, Credentials{Username: name, Password: password})
	}
}

// WithFilesystemStorage stores blobs and manifests under dir (created if
// missing) instead of in memory, so content survives [Registry.Close] and a
// new registry on the same dir serves it again. dir must not be empty and
// must not be shared by two running registries. It is not removed on Close.
// Not available with [WithReferrersAPI]. Default: in-memory storage, lost on
// Close.
func WithFilesystemStorage(dir string) Option {
	return func(o *options) {
		o.fsDir = dir
		o.fsSet = true
	}
}

// WithReferrersAPI serves go-containerregistry's in-memory registry
// (pkg/registry with WithReferrersSupport) instead of CNCF Distribution, so
// GET /v2/<name>/referrers/<digest> answers an OCI image index of the
// manifests whose subject is <digest>. It sits behind the same TLS and
// htpasswd front as the default backend. Storage is always in memory, so it
// cannot be combined with [WithFilesystemStorage]. Default: Distribution,
// which answers 404 on the referrers endpoint, so clients fall back to the
// "sha256-<hex>" tag schema.
func WithReferrersAPI() Option {
	return func(o *options) { o.referrers = true }
}

// WithRequestHook calls hook with every request the registry receives,
// before authentication, in the server goroutine that handles it. Hooks are
// called concurrently, so hook must be safe for concurrent use; it must not
// modify the request or read its body. Typical use is counting requests
// with an atomic counter. WithRequestHook may be given more than once; hooks
// run in order. hook must not be nil. Default: no hook.
func WithRequestHook(hook func(*http.Request)) Option {
	return func(o *options) { o.hooks = append(o.hooks, hook) }
}

// WithLogOutput sends the backend's logs to w: Distribution's logrus
// entries at info level and above in text format, or go-containerregistry's
// one line per request. Useful for debugging a failing test, e.g. with
// testing.T.Output. The registry serialises its writes to w. w must not be
// nil. Default: io.Discard, the registry is silent.
func WithLogOutput(w io.Writer) Option {
	return func(o *options) {
		o.logOutput = w
		o.logSet = true
	}
}

// validate reports the first invalid or conflicting option, wrapped in
// ErrInvalidOption.
func (o *options) validate() error {
	seen := make(map[string]bool, len(o.users))
	for _, u := range o.users {
		switch {
		case u.Username == "":
			return fmt.Errorf("%w: WithUser: empty user name", ErrInvalidOption)
		case strings.ContainsAny(u.Username, ":\r\n"):
			return fmt.Errorf("%w: WithUser: user name %q contains ':' or a line break", ErrInvalidOption, u.Username)
		case strings.ContainsAny(u.Password, "\r\n"):
			return fmt.Errorf("%w: WithUser: password of %q contains a line break", ErrInvalidOption, u.Username)
		case seen[u.Username]:
			return fmt.Errorf("%w: WithUser: duplicate user %q", ErrInvalidOption, u.Username)
		}
		seen[u.Username] = true
	}
	if o.fsSet && o.fsDir == "" {
		return fmt.Errorf("%w: WithFilesystemStorage: empty directory", ErrInvalidOption)
	}
	if o.fsSet && o.referrers {
		return fmt.Errorf("%w: WithReferrersAPI cannot be combined with WithFilesystemStorage: its backend stores only in memory", ErrInvalidOption)
	}
	for _, h := range o.hooks {
		if h == nil {
			return fmt.Errorf("%w: WithRequestHook: nil hook", ErrInvalidOption)
		}
	}
	if o.logSet && o.logOutput == nil {
		return fmt.Errorf("%w: WithLogOutput: nil writer", ErrInvalidOption)
	}
	return nil
}
