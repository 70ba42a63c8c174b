package oci

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// newTransport builds the Client's round tripper: the plain-HTTP guard over
// the retries over the base transport with the TLS settings.
func newTransport(o *options) (http.RoundTripper, error) {
	base := o.transport
	if base == nil {
		dt, ok := remote.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("remote.DefaultTransport is a %T, not an *http.Transport", remote.DefaultTransport)
		}
		base = dt.Clone()
	}
	if o.rootCAs != nil || len(o.certs) > 0 {
		t := base.(*http.Transport).Clone() // checked by validate
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		// Clone may have filled NextProtos with "h2" for the original
		// without carrying its HTTP/2 set-up over: let the clone set up
		// its own, or it would offer h2 and then speak HTTP/1.1.
		t.TLSClientConfig.NextProtos = nil
		t.ForceAttemptHTTP2 = true
		if o.rootCAs != nil {
			t.TLSClientConfig.RootCAs = o.rootCAs
		}
		if len(o.certs) > 0 {
			t.TLSClientConfig.Certificates = append([]tls.Certificate(nil), o.certs...)
		}
		base = t
	}
	return &guardTransport{
		allowHTTP: o.insecure,
		inner:     &retryTransport{policy: o.retry, inner: base},
	}, nil
}

// guardTransport refuses plain-HTTP requests unless they are allowed, and
// manifest HEAD responses whose Docker-Content-Digest header is malformed
// (see checkDigestHeader).
type guardTransport struct {
	allowHTTP bool
	inner     http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && !g.allowHTTP {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s://%s (use WithInsecureHTTP to allow it)", ErrInsecureHTTP, req.URL.Scheme, req.URL.Host)
	}
	resp, err := g.inner.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if err := checkDigestHeader(req, resp); err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// retryTransport retries requests that got HTTP 429 or 5xx, or a reset
// connection, when their body can be sent again.
type retryTransport struct {
	policy RetryPolicy
	inner  http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (r *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	wait := r.policy.MinBackoff
	for attempt := 1; ; attempt++ {
		resp, err := r.inner.RoundTrip(req)
		last := attempt >= r.policy.Attempts || !replayable
		if last || !retryable(resp, err) {
			return resp, err
		}
		d := wait
		if resp != nil {
			if ra, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
				d = ra
			}
			// Drain a little so the connection can be reused.
			_, _ = io.CopyN(io.Discard, resp.Body, 4096)
			_ = resp.Body.Close()
		}
		d = min(d, r.policy.MaxBackoff)
		if err := sleep(req.Context(), d); err != nil {
			return nil, err
		}
		wait = min(2*wait, r.policy.MaxBackoff)
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// retryable reports a response or error worth another try.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE)
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented
}

// retryAfter parses a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// rewind returns a copy of req with a fresh body.
func rewind(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = body
	return out, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
