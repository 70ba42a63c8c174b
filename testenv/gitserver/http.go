package gitserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"os"
	"slices"
	"strings"
	"time"
)

// httpEndpoint is a running smart HTTP(S) server.
type httpEndpoint struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// StartHTTP serves the repositories over smart HTTP through git http-backend
// on 127.0.0.1 and a free port; see HTTPURL. ctx bounds the start only: the
// server runs until Close. A second call does nothing.
//
// It returns ErrClosed after Close.
func (s *Server) StartHTTP(ctx context.Context) error {
	return s.startHTTP(ctx, ProtocolHTTP)
}

// StartHTTPS is StartHTTP over TLS, with a server certificate for 127.0.0.1
// and localhost signed by the CA of CACertPEM; see HTTPSURL.
//
// It returns ErrClosed after Close.
func (s *Server) StartHTTPS(ctx context.Context) error {
	return s.startHTTP(ctx, ProtocolHTTPS)
}

func (s *Server) startHTTP(ctx context.Context, proto Protocol) error {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	slot := &s.httpEP
	if proto == ProtocolHTTPS {
		slot = &s.httpsEP
	}
	s.mu.RLock()
	closed, running := s.closed, *slot != nil
	s.mu.RUnlock()
	if closed {
		return fmt.Errorf("start %s: %w", proto, ErrClosed)
	}
	if running {
		return nil
	}

	ln, err := listenLocal(ctx)
	if err != nil {
		return fmt.Errorf("start %s: %w", proto, err)
	}
	stderr := io.Writer(io.Discard)
	if s.opts.log.V(1).Enabled() {
		stderr = logWriter{log: s.opts.log, msg: "git http-backend stderr"}
	}
	h := &httpHandler{
		s:     s,
		proto: proto,
		cgi: cgi.Handler{
			Path: s.backend,
			Dir:  s.root,
			Env: append(slices.Clip(s.serveEnv),
				"GIT_PROJECT_ROOT="+s.root,
				"GIT_HTTP_EXPORT_ALL=1",
			),
			Logger: log.New(logWriter{log: s.opts.log, msg: "cgi"}, "", 0),
			Stderr: stderr,
		},
	}
	ep := &httpEndpoint{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 30 * time.Second,
			ErrorLog:          log.New(logWriter{log: s.opts.log, msg: proto.String() + " server"}, "", 0),
		},
		addr: ln.Addr().String(),
		done: make(chan struct{}),
	}
	if proto == ProtocolHTTPS {
		ep.srv.TLSConfig = s.ca.ServerTLSConfig()
	}
	go func() {
		defer close(ep.done)
		var err error
		if proto == ProtocolHTTPS {
			err = ep.srv.ServeTLS(ln, "", "")
		} else {
			err = ep.srv.Serve(ln)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			s.opts.log.Error(err, "serve", "protocol", proto)
		}
	}()
	s.mu.Lock()
	*slot = ep
	s.mu.Unlock()
	s.opts.log.V(1).Info("started", "protocol", proto, "addr", ep.addr)
	return nil
}

// close waits briefly for running requests, then cuts every connection.
func (ep *httpEndpoint) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := ep.srv.Shutdown(ctx); err != nil {
		_ = ep.srv.Close()
	}
	<-ep.done
	return nil
}

// httpHandler authenticates, confines and observes requests, then hands them
// to git http-backend.
type httpHandler struct {
	s     *Server
	proto Protocol
	cgi   cgi.Handler
}

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	repo, service := parseHTTPPath(r.URL.Path, r.URL.Query().Get("service"))
	req := Request{Protocol: h.proto, Service: service, Repo: repo, Method: r.Method}
	req.User, req.Authenticated = h.s.authenticateHTTP(r)
	if !req.Authenticated {
		req.Err = ErrUnauthenticated
		h.s.notify(req)
		if h.s.opts.basic {
			w.Header().Add("WWW-Authenticate", `Basic realm="gitserver"`)
		}
		if h.s.opts.tokenSet {
			w.Header().Add("WWW-Authenticate", `Bearer realm="gitserver"`)
		}
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	rel, _, err := h.s.localRepo(repo)
	if err != nil {
		req.Err = ErrOutsideRoot
		h.s.notify(req)
		http.Error(w, "repository not found", http.StatusNotFound)
		return
	}
	req.Repo = rel
	if h.s.opts.readOnly && service == ServiceReceivePack {
		req.Err = ErrReadOnly
		h.s.notify(req)
		http.Error(w, "read-only server: pushes are refused", http.StatusForbidden)
		return
	}
	h.s.notify(req)

	// net/http/cgi refuses chunked bodies, which git sends for requests
	// larger than http.postBuffer: spool them to learn their length.
	if r.ContentLength < 0 {
		f, n, err := spool(r.Body)
		if err != nil {
			http.Error(w, "read request body", http.StatusBadRequest)
			return
		}
		defer func() {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}()
		r = r.Clone(r.Context())
		r.Body, r.ContentLength, r.TransferEncoding = f, n, nil
	}
	cgiHandler := h.cgi
	remoteUser := req.User
	if remoteUser == "" {
		remoteUser = "anonymous"
	}
	cgiHandler.Env = append(slices.Clip(h.cgi.Env), "REMOTE_USER="+remoteUser)
	cgiHandler.ServeHTTP(w, r)
}

// spool copies body to a temporary file and rewinds it.
func spool(body io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "gitserver-body-")
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, body)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, 0, err
	}
	return f, n, nil
}

// authenticateHTTP checks the Authorization header against the configured
// credentials. It returns the basic-auth user name and whether they passed.
func (s *Server) authenticateHTTP(r *http.Request) (string, bool) {
	if !s.opts.authRequired() {
		return "", true
	}
	if user, pass, ok := r.BasicAuth(); ok && s.opts.basic {
		return user, equal(user, s.opts.basicUser) && equal(pass, s.opts.basicPass)
	}
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && s.opts.tokenSet &&
		strings.EqualFold(scheme, "Bearer") {
		return "", equal(strings.TrimSpace(tok), s.opts.token)
	}
	return "", false
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// parseHTTPPath extracts the repository and service of a smart or dumb HTTP
// request path, such as "/team/app.git/info/refs" with
// service=git-upload-pack.
func parseHTTPPath(urlPath, serviceParam string) (string, Service) {
	p := strings.TrimLeft(urlPath, "/")
	switch {
	case strings.HasSuffix(p, "/info/refs"):
		return strings.TrimSuffix(p, "/info/refs"), parseService(serviceParam)
	case strings.HasSuffix(p, "/git-upload-pack"):
		return strings.TrimSuffix(p, "/git-upload-pack"), ServiceUploadPack
	case strings.HasSuffix(p, "/git-receive-pack"):
		return strings.TrimSuffix(p, "/git-receive-pack"), ServiceReceivePack
	}
	// Dumb HTTP: HEAD, objects/..., info/packs and the like.
	if i := strings.Index(p, "/objects/"); i >= 0 {
		return p[:i], ServiceUnknown
	}
	return strings.TrimSuffix(p, "/HEAD"), ServiceUnknown
}
