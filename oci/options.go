package oci

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Option configures a Client made by New. Options are applied in order;
// every default and every conflict check lives in New.
type Option func(*options)

// options is the private state the Option functions fill in.
type options struct {
	auth      authn.Authenticator
	keychain  authn.Keychain
	userAgent string
	rootCAs   *x509.CertPool
	certs     []tls.Certificate
	insecure  bool
	retry     RetryPolicy
	transport http.RoundTripper
}

// WithAuth authenticates every request with auth, such as
// &authn.Basic{Username: u, Password: p}, authn.FromConfig(...) with a
// bearer token, or one made by package oci/auth. It conflicts with
// WithKeychain. Default: anonymous.
func WithAuth(auth authn.Authenticator) Option {
	return func(o *options) { o.auth = auth }
}

// WithKeychain picks the credentials of each registry from kc, such as
// authn.DefaultKeychain (docker config.json), authn.NewMultiKeychain(...) or
// a cloud keychain from package oci/auth. It conflicts with WithAuth.
// Default: anonymous.
func WithKeychain(kc authn.Keychain) Option {
	return func(o *options) { o.keychain = kc }
}

// WithUserAgent sets the User-Agent header sent to registries, to which
// go-containerregistry appends its own. Default:
// buildinfo.UserAgent("sluice-oci"), e.g. "sluice-oci/v1.2.3 (linux/amd64)".
func WithUserAgent(ua string) Option {
	return func(o *options) { o.userAgent = ua }
}

// WithRootCAs trusts the certificate authorities of pool instead of the
// system's when verifying registries' TLS certificates. Default: the system
// pool.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(o *options) { o.rootCAs = pool }
}

// WithClientCertificate presents cert to registries that ask for a client
// certificate (mutual TLS). Default: none.
func WithClientCertificate(cert tls.Certificate) Option {
	return func(o *options) { o.certs = append(o.certs, cert) }
}

// WithInsecureHTTP allows plain-HTTP registries. Without it, any request
// over http:// (including a redirect to one) fails with ErrInsecureHTTP, as
// Flux's RFC-0004 requires, even for the hosts go-containerregistry would
// otherwise fall back to HTTP for (localhost, 127.0.0.1, private
// addresses). With it, HTTPS is tried first and HTTP is the fallback for
// every host. Default: refused.
func WithInsecureHTTP() Option {
	return func(o *options) { o.insecure = true }
}

// RetryPolicy says how requests that fail with HTTP 429 or 5xx (or a reset
// connection) are retried. Waits double from MinBackoff up to MaxBackoff,
// honour a Retry-After header up to MaxBackoff, and end early when the
// request's context ends.
type RetryPolicy struct {
	// Attempts is the total number of tries of a request, the first
	// included. 1 disables retries. Default 0: 4.
	Attempts int
	// MinBackoff is the first wait. Default 0: 200ms.
	MinBackoff time.Duration
	// MaxBackoff caps every wait. Default 0: 5s.
	MaxBackoff time.Duration
}

// WithRetry sets the retry policy; see RetryPolicy for its defaults.
func WithRetry(p RetryPolicy) Option {
	return func(o *options) { o.retry = p }
}

// WithTransport sends requests through rt instead of a clone of
// go-containerregistry's remote.DefaultTransport (proxy from the
// environment, HTTP/2, 30s dial timeout). When WithRootCAs or
// WithClientCertificate are given too, rt must be an *http.Transport; it is
// cloned, not modified, and the clone attempts HTTP/2. The Client always wraps rt with its plain-HTTP
// guard and its retries. Default: remote.DefaultTransport's clone.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) { o.transport = rt }
}

// validate checks the options and fills in the defaults.
func (o *options) validate() error {
	if o.auth != nil && o.keychain != nil {
		return fmt.Errorf("%w: WithAuth and WithKeychain are exclusive", ErrInvalidOption)
	}
	r := &o.retry
	switch {
	case r.Attempts < 0:
		return fmt.Errorf("%w: WithRetry: negative Attempts %d", ErrInvalidOption, r.Attempts)
	case r.MinBackoff < 0 || r.MaxBackoff < 0:
		return fmt.Errorf("%w: WithRetry: negative backoff", ErrInvalidOption)
	}
	if r.Attempts == 0 {
		r.Attempts = 4
	}
	if r.MinBackoff == 0 {
		r.MinBackoff = 200 * time.Millisecond
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = 5 * time.Second
	}
	if r.MaxBackoff < r.MinBackoff {
		return fmt.Errorf("%w: WithRetry: MaxBackoff %s below MinBackoff %s", ErrInvalidOption, r.MaxBackoff, r.MinBackoff)
	}
	if o.transport != nil && (o.rootCAs != nil || len(o.certs) > 0) {
		if _, ok := o.transport.(*http.Transport); !ok {
			return fmt.Errorf("%w: WithRootCAs and WithClientCertificate need WithTransport to be an *http.Transport, not %T", ErrInvalidOption, o.transport)
		}
	}
	return nil
}
