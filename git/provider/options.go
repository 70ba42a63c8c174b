package provider

import (
	"github.com/go-logr/logr"
)

// Option configures a [Client] created by [New]. Options are applied in
// order; every default and conflict check lives in New.
type Option func(*options)

type options struct {
	username          string
	caPEM             []byte
	allowInsecureHTTP bool
	gitlabOAuth2      bool
	logger            logr.Logger
}

// WithUsername sets the user the token belongs to. Bitbucket Server needs
// it: the REST API gets the token as a bearer token, and Git over HTTP
// (the initial commit go-git-providers pushes to set a default branch other
// than "master") gets the user and the token. The other providers ignore
// it. Default: none.
func WithUsername(username string) Option {
	return func(o *options) { o.username = username }
}

// WithCAPEM trusts the PEM-encoded CA certificates in pem, in addition to
// the system roots, for a provider served with a private CA. Default: the
// system roots only.
func WithCAPEM(pem []byte) Option {
	return func(o *options) { o.caPEM = pem }
}

// WithInsecureHTTP allows an http:// base URL, so the token travels in
// clear text: for test servers on loopback. GitHub's client always speaks
// HTTPS and cannot use it. Default: http:// is refused with
// [ErrInsecureHTTP].
func WithInsecureHTTP() Option {
	return func(o *options) { o.allowInsecureHTTP = true }
}

// WithGitLabOAuth2Token sends the token to GitLab as an OAuth2 bearer token
// instead of a personal, project or group access token (PRIVATE-TOKEN
// header). Other providers ignore it. Default: an access token.
func WithGitLabOAuth2Token() Option {
	return func(o *options) { o.gitlabOAuth2 = true }
}

// WithLogger makes the provider clients log through logger (Bitbucket
// Server logs its requests at V(1)). Default: silent.
func WithLogger(logger logr.Logger) Option {
	return func(o *options) { o.logger = logger }
}
