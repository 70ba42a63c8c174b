package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/testenv/internal/testca"
)

const (
	// readHeaderTimeout bounds how long the server waits for request headers.
	readHeaderTimeout = 30 * time.Second
	// shutdownTimeout bounds how long Close waits for requests in flight
	// before it drops their connections.
	shutdownTimeout = 5 * time.Second
)

// Registry is an OCI registry served in-process on 127.0.0.1. Create it with
// [New] and stop it with [Registry.Close]. Its methods are safe for
// concurrent use and keep answering after Close.
type Registry struct {
	backend Backend
	host    string
	scheme  string
	tls     *testca.Authority // nil in plain-HTTP mode
	users   []Credentials

	server    *http.Server
	serveDone chan struct{}
	serveErr  error // set before serveDone is closed
	stop      func() error
	tempDir   string // holds the htpasswd file; "" without users

	closeOnce sync.Once
	closeErr  error
}

// New starts a registry on a free port of 127.0.0.1 and returns once it
// accepts connections. Without options it is CNCF Distribution over plain
// HTTP, storing in memory, without authentication, with deletes enabled.
//
// ctx bounds the start only: cancelling it later does not stop the
// registry, [Registry.Close] does. Values of ctx are visible to the
// backend.
//
// New returns an error wrapping [ErrInvalidOption] for an invalid or
// conflicting option, ctx.Err() if ctx ends first, and otherwise an error
// wrapping the cause (listen, temporary files, certificate generation, the
// backend's configuration).
func New(ctx context.Context, opts ...Option) (*Registry, error) {
	o := &options{logOutput: io.Discard}
	for _, opt := range opts {
		opt(o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("new registry: %w", err)
	}
	if o.logOutput != io.Discard {
		// Several loggers (the backend's, the HTTP server's) share it.
		o.logOutput = &lockedWriter{w: o.logOutput}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("new registry: %w", err)
	}
	r, err := start(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("new registry: %w", err)
	}
	return r, nil
}

// start does the work of New; on error it releases everything it acquired.
func start(ctx context.Context, o *options) (_ *Registry, err error) {
	r := &Registry{
		backend:   BackendDistribution,
		scheme:    "http",
		users:     slices.Clone(o.users),
		serveDone: make(chan struct{}),
	}
	if o.referrers {
		r.backend = BackendGoContainerRegistry
	}

	var cleanups []func()
	defer func() {
		if err != nil {
			for _, c := range slices.Backward(cleanups) {
				c()
			}
		}
	}()

	if o.fsSet {
		if err := os.MkdirAll(o.fsDir, 0o750); err != nil {
			return nil, fmt.Errorf("create storage directory: %w", err)
		}
	}

	var htpasswdPath string
	if len(o.users) > 0 {
		r.tempDir, err = os.MkdirTemp("", "sluice-registry-")
		if err != nil {
			return nil, fmt.Errorf("create temporary directory: %w", err)
		}
		cleanups = append(cleanups, func() { _ = os.RemoveAll(r.tempDir) })
		if htpasswdPath, err = writeHTPasswd(ctx, r.tempDir, o.users); err != nil {
			return nil, err
		}
	}

	if o.tls {
		if r.tls, err = testca.New("sluice testenv registry ca", time.Now()); err != nil {
			return nil, err
		}
		r.scheme = "https"
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	cleanups = append(cleanups, func() { _ = ln.Close() })
	r.host = ln.Addr().String()

	base := newLogContext(ctx, o.logOutput)
	var b backend
	if o.referrers {
		b, err = newGoContainerRegistry(o, htpasswdPath)
	} else {
		b, err = newDistribution(base, o, r.host, htpasswdPath)
	}
	if err != nil {
		return nil, err
	}
	r.stop = b.stop

	r.server = &http.Server{
		Handler:           withHooks(o.hooks, b.handler),
		ReadHeaderTimeout: readHeaderTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		// TLS handshake failures and the like are expected in tests.
		ErrorLog: log.New(o.logOutput, "", log.LstdFlags),
	}
	if r.tls != nil {
		r.server.TLSConfig = r.tls.ServerTLSConfig()
	}
	go r.serve(ln)
	return r, nil
}

// serve runs the HTTP server on ln until Close.
func (r *Registry) serve(ln net.Listener) {
	defer close(r.serveDone)
	var err error
	if r.tls != nil {
		err = r.server.ServeTLS(ln, "", "")
	} else {
		err = r.server.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		r.serveErr = err
	}
}

// withHooks calls each hook with every request before next serves it.
func withHooks(hooks []func(*http.Request), next http.Handler) http.Handler {
	if len(hooks) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		for _, h := range hooks {
			h(req)
		}
		next.ServeHTTP(w, req)
	})
}

// Backend returns the implementation serving requests:
// [BackendDistribution] unless [WithReferrersAPI] was given.
func (r *Registry) Backend() Backend { return r.backend }

// Host returns the registry's address as "127.0.0.1:PORT", the registry part
// of an image reference.
func (r *Registry) Host() string { return r.host }

// URL returns the base URL, "http://127.0.0.1:PORT", or
// "https://127.0.0.1:PORT" with [WithTLS]. The API lives under URL()+"/v2/".
func (r *Registry) URL() string { return r.scheme + "://" + r.host }

// Ref returns the reference Host()+"/"+repo. repo may carry a tag or a
// digest: Ref("team/app:v1") is "127.0.0.1:PORT/team/app:v1". For a
// plain-HTTP registry, parse it with go-containerregistry's name.Insecure.
func (r *Registry) Ref(repo string) string {
	return r.host + "/" + strings.TrimPrefix(repo, "/")
}

// Credentials returns the first user given to [WithUser], or zero
// Credentials when authentication is off.
func (r *Registry) Credentials() Credentials {
	if len(r.users) == 0 {
		return Credentials{}
	}
	return r.users[0]
}

// TLS reports whether the registry serves HTTPS ([WithTLS]).
func (r *Registry) TLS() bool { return r.tls != nil }

// CACertPEM returns a copy of the PEM-encoded CA certificate that signed the
// server certificate, or nil in plain-HTTP mode.
func (r *Registry) CACertPEM() []byte {
	if r.tls == nil {
		return nil
	}
	return r.tls.CertPEM()
}

// CertPool returns a new pool holding only the registry's CA, or nil in
// plain-HTTP mode.
func (r *Registry) CertPool() *x509.CertPool {
	if r.tls == nil {
		return nil
	}
	return r.tls.CertPool()
}

// TLSConfig returns a new client configuration that trusts only the
// registry's CA (TLS 1.2 or later), or nil in plain-HTTP mode.
func (r *Registry) TLSConfig() *tls.Config {
	if r.tls == nil {
		return nil
	}
	return r.tls.ClientTLSConfig()
}

// Transport returns a new HTTP transport for this registry: no proxy, and
// with [WithTLS] trusting only the registry's CA. The caller owns it and may
// change it.
func (r *Registry) Transport() *http.Transport {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       r.TLSConfig(),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Close stops the registry: it waits up to 5 seconds for requests in flight,
// drops the remaining connections, frees the port, stops the backend and
// removes the htpasswd file. Content stored with [WithFilesystemStorage]
// stays. Close is idempotent; later calls return the first call's result.
func (r *Registry) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := r.server.Shutdown(ctx); err != nil {
			// Requests still in flight: drop them.
			if err := r.server.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close server: %w", err))
			}
		}
		<-r.serveDone
		if r.serveErr != nil {
			errs = append(errs, fmt.Errorf("serve: %w", r.serveErr))
		}
		if err := r.stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", r.backend, err))
		}
		if r.tempDir != "" {
			if err := os.RemoveAll(r.tempDir); err != nil {
				errs = append(errs, fmt.Errorf("remove htpasswd: %w", err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			r.closeErr = fmt.Errorf("close registry %s: %w", r.host, err)
		}
	})
	return r.closeErr
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write implements io.Writer.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
