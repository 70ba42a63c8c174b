package gitserver

import (
	"fmt"

	"github.com/go-logr/logr"
)

// Option configures a Server built by New.
type Option func(*options)

type options struct {
	root      string
	basicUser string
	basicPass string
	basic     bool
	token     string
	tokenSet  bool
	readOnly  bool
	hooks     []func(Request)
	nilHook   bool
	log       logr.Logger
	git       string
}

func defaultOptions() options {
	return options{log: logr.Discard(), git: "git"}
}

// validate holds every conflict check of the options.
func (o *options) validate() error {
	if o.basic && (o.basicUser == "" || o.basicPass == "") {
		return fmt.Errorf("%w: basic auth needs a user and a password", ErrInvalidOption)
	}
	if o.tokenSet && o.token == "" {
		return fmt.Errorf("%w: empty bearer token", ErrInvalidOption)
	}
	if o.nilHook {
		return fmt.Errorf("%w: nil request hook", ErrInvalidOption)
	}
	if o.git == "" {
		return fmt.Errorf("%w: empty git binary", ErrInvalidOption)
	}
	return nil
}

// authRequired reports whether HTTP clients must present credentials.
func (o *options) authRequired() bool { return o.basic || o.tokenSet }

// WithRoot serves the bare repositories under dir, created if missing, and
// leaves it in place on Close. The default is a new temporary directory that
// Close removes.
func WithRoot(dir string) Option {
	return func(o *options) { o.root = dir }
}

// WithBasicAuth requires HTTP(S) clients to send this user and password
// (or the bearer token of WithBearerToken, when both are set), and enables
// SSH password authentication with them. Both must be non-empty. The default
// is no authentication on HTTP(S) and public keys only on SSH.
func WithBasicAuth(user, password string) Option {
	return func(o *options) {
		o.basic, o.basicUser, o.basicPass = true, user, password
	}
}

// WithBearerToken requires HTTP(S) clients to send "Authorization: Bearer
// token" (or the basic credentials of WithBasicAuth, when both are set).
// The token must be non-empty. The default is no authentication.
func WithBearerToken(token string) Option {
	return func(o *options) { o.tokenSet, o.token = true, token }
}

// WithReadOnly refuses pushes on every protocol: HTTP(S) answers 403, SSH
// exits with status 1 and a message on stderr, git daemon runs without
// receive-pack. The default accepts pushes.
func WithReadOnly() Option {
	return func(o *options) { o.readOnly = true }
}

// WithRequestHook calls fn with every Request the server receives, before
// serving it, including refused ones. Hooks run on the serving goroutines,
// concurrently: fn must be safe for concurrent use and return quickly. The
// option may be given several times. The default is no hook.
func WithRequestHook(fn func(Request)) Option {
	return func(o *options) {
		if fn == nil {
			o.nilHook = true
			return
		}
		o.hooks = append(o.hooks, fn)
	}
}

// WithLogger logs server events and the standard error of the git processes
// at verbosity 1. The default discards everything.
func WithLogger(log logr.Logger) Option {
	return func(o *options) { o.log = log }
}

// WithGitBinary runs this git executable: a path, or a name looked up in
// PATH. The default is "git" from PATH.
func WithGitBinary(git string) Option {
	return func(o *options) { o.git = git }
}
