package gitserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/testenv/internal/testca"

	"github.com/go-logr/logr"
	"golang.org/x/crypto/ssh"
)

// Server serves the bare repositories under its root over smart HTTP, HTTPS,
// SSH and git://, each started on demand on 127.0.0.1 and a free port.
// Create one with New and release it with Close.
type Server struct {
	opts     options
	root     string
	ownRoot  bool
	git      string // absolute path of the git executable
	backend  string // absolute path of git-http-backend
	serveEnv []string
	ca       *testca.Authority
	hostKey  ssh.Signer

	// startMu serializes the Start methods and Close.
	startMu sync.Mutex

	// mu guards the fields below.
	mu         sync.RWMutex
	closed     bool
	httpEP     *httpEndpoint
	httpsEP    *httpEndpoint
	sshEP      *sshEndpoint
	daemonEP   *daemonEndpoint
	authorized map[string]bool
	repoLocks  map[string]*sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// New checks that the git CLI works, prepares the root directory, a CA and
// an SSH host key, and returns a Server that serves nothing until one of its
// Start methods is called. ctx bounds the git commands New runs.
//
// New returns an error wrapping ErrGitNotFound when git is missing,
// ErrInvalidOption when the options conflict, or a *GitError when git fails.
func New(ctx context.Context, opts ...Option) (*Server, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	git, err := lookGit(o.git, os.Getenv("PATH"))
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	s := &Server{
		opts:       o,
		git:        git,
		authorized: map[string]bool{},
		repoLocks:  map[string]*sync.Mutex{},
	}
	execPath, err := s.run(ctx, runSpec{args: []string{"--exec-path"}})
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	s.backend = filepath.Join(execPath, "git-http-backend")
	if _, err := os.Stat(s.backend); err != nil {
		return nil, fmt.Errorf("new server: find git-http-backend: %w", err)
	}
	if s.ca, err = testca.New("sluice gitserver test ca", time.Now()); err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new server: generate host key: %w", err)
	}
	if s.hostKey, err = ssh.NewSignerFromKey(hostPriv); err != nil {
		return nil, fmt.Errorf("new server: host key: %w", err)
	}
	if o.root == "" {
		if s.root, err = os.MkdirTemp("", "gitserver-"); err != nil {
			return nil, fmt.Errorf("new server: create root: %w", err)
		}
		s.ownRoot = true
	} else {
		if s.root, err = filepath.Abs(o.root); err != nil {
			return nil, fmt.Errorf("new server: root: %w", err)
		}
		if err := os.MkdirAll(s.root, 0o750); err != nil {
			return nil, fmt.Errorf("new server: create root: %w", err)
		}
	}
	s.serveEnv = serveEnv(o.readOnly)
	return s, nil
}

// Root returns the absolute directory holding the bare repositories.
func (s *Server) Root() string { return s.root }

// HTTPURL returns the http:// URL of repo, such as
// "http://127.0.0.1:PORT/app.git", or "" before StartHTTP.
func (s *Server) HTTPURL(repo string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.httpEP == nil {
		return ""
	}
	return "http://" + s.httpEP.addr + "/" + strings.TrimPrefix(repo, "/")
}

// HTTPSURL returns the https:// URL of repo, such as
// "https://127.0.0.1:PORT/app.git", or "" before StartHTTPS. Clients trust it
// through CACertPEM, CertPool or ClientTLSConfig.
func (s *Server) HTTPSURL(repo string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.httpsEP == nil {
		return ""
	}
	return "https://" + s.httpsEP.addr + "/" + strings.TrimPrefix(repo, "/")
}

// SSHURL returns the ssh:// URL of repo, such as
// "ssh://git@127.0.0.1:PORT/app.git", or "" before StartSSH. Clients check
// the host with KnownHosts or HostKey.
func (s *Server) SSHURL(repo string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sshEP == nil {
		return ""
	}
	return "ssh://git@" + s.sshEP.addr + "/" + strings.TrimPrefix(repo, "/")
}

// GitURL returns the git:// URL of repo, such as
// "git://127.0.0.1:PORT/app.git", or "" before StartGitDaemon.
func (s *Server) GitURL(repo string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.daemonEP == nil {
		return ""
	}
	return "git://" + s.daemonEP.addr + "/" + strings.TrimPrefix(repo, "/")
}

// CACertPEM returns the PEM certificate of the CA that signed the HTTPS
// server certificate, for GIT_SSL_CAINFO or go-git's CABundle. It is
// available before StartHTTPS.
func (s *Server) CACertPEM() []byte { return s.ca.CertPEM() }

// CertPool returns a new pool holding the CA of CACertPEM.
func (s *Server) CertPool() *x509.CertPool { return s.ca.CertPool() }

// ClientTLSConfig returns a new TLS configuration that trusts the HTTPS
// server, for an http.Transport.
func (s *Server) ClientTLSConfig() *tls.Config { return s.ca.ClientTLSConfig() }

// Close stops every server, kills the git processes they started (git
// daemon's whole process group included), frees their ports and removes the
// root unless it came from WithRoot. It is safe to call several times: later
// calls return the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.mu.Lock()
	s.closed = true
	httpEP, httpsEP, sshEP, daemonEP := s.httpEP, s.httpsEP, s.sshEP, s.daemonEP
	s.mu.Unlock()

	var errs []error
	for _, ep := range []*httpEndpoint{httpEP, httpsEP} {
		if ep != nil {
			errs = append(errs, ep.close())
		}
	}
	if sshEP != nil {
		sshEP.close()
	}
	if daemonEP != nil {
		errs = append(errs, daemonEP.close())
	}
	if s.ownRoot {
		if err := os.RemoveAll(s.root); err != nil {
			errs = append(errs, fmt.Errorf("remove root: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close server: %w", err)
	}
	return nil
}

// notify calls the request hooks and logs the request.
func (s *Server) notify(req Request) {
	if log := s.opts.log.V(1); log.Enabled() {
		kv := []any{"protocol", req.Protocol, "service", req.Service, "repo", req.Repo,
			"user", req.User, "authenticated", req.Authenticated}
		if req.Method != "" {
			kv = append(kv, "method", req.Method)
		}
		if req.Err != nil {
			kv = append(kv, "refused", req.Err.Error())
		}
		log.Info("git request", kv...)
	}
	for _, hook := range s.opts.hooks {
		hook(req)
	}
}

// localRepo cleans a client or caller supplied repository path and confines
// it to the root. It returns the slash-separated relative path and the
// absolute directory, or ErrOutsideRoot.
func (s *Server) localRepo(repo string) (string, string, error) {
	rel := strings.TrimLeft(repo, "/")
	if !filepath.IsLocal(filepath.FromSlash(rel)) || strings.ContainsRune(rel, 0) {
		return "", "", fmt.Errorf("repository %q: %w", repo, ErrOutsideRoot)
	}
	rel = path.Clean(rel)
	if rel == "." {
		return "", "", fmt.Errorf("repository %q: %w", repo, ErrOutsideRoot)
	}
	return rel, filepath.Join(s.root, filepath.FromSlash(rel)), nil
}

// lookGit resolves the git executable the way exec.LookPath does, against
// the given PATH value, so tests can provoke ErrGitNotFound without touching
// the process environment.
func lookGit(git, pathEnv string) (string, error) {
	if strings.ContainsRune(git, filepath.Separator) {
		if isExecutable(git) {
			return filepath.Abs(git)
		}
		return "", fmt.Errorf("look up %s: %w", git, ErrGitNotFound)
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue // like exec.LookPath, never run a binary from a relative PATH entry
		}
		if p := filepath.Join(dir, git); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("look up %s: %w", git, ErrGitNotFound)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p) //nolint:gosec // G703: a PATH entry, looked at, not written
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// cleanEnviron returns the process environment without GIT_* variables, so
// that a test run from a git hook or with GIT_DIR set cannot leak into the
// servers and fixtures.
func cleanEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return env
}

// isolatedEnv ignores the system and global git configuration, so the host's
// settings cannot change results.
func isolatedEnv() []string {
	return append(cleanEnviron(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
	)
}

// serveEnv is the environment of the server-side git processes, with
// configuration passed through GIT_CONFIG_COUNT.
func serveEnv(readOnly bool) []string {
	cfg := [][2]string{
		{"safe.directory", "*"},
		{"uploadpack.allowFilter", "true"},
		{"uploadpack.allowAnySHA1InWant", "true"},
		{"http.receivepack", fmt.Sprint(!readOnly)},
	}
	env := isolatedEnv()
	env = append(env, fmt.Sprintf("GIT_CONFIG_COUNT=%d", len(cfg)))
	for i, kv := range cfg {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", i, kv[0]), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", i, kv[1]))
	}
	return env
}

// runSpec describes one git invocation.
type runSpec struct {
	args  []string
	dir   string
	env   []string // added to isolatedEnv
	stdin io.Reader
}

// run runs git and returns its trimmed standard output, or a *GitError.
func (s *Server) run(ctx context.Context, r runSpec) (string, error) {
	cmd := exec.CommandContext(ctx, s.git, r.args...)
	cmd.Dir = r.dir
	cmd.Env = append(isolatedEnv(), r.env...)
	cmd.Stdin = r.stdin
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return "", &GitError{Args: r.args, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return strings.TrimSpace(stdout.String()), nil
}

// listenLocal listens on a free TCP port of 127.0.0.1.
func listenLocal(ctx context.Context) (net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}

// listener accepts TCP connections for one protocol and serves each on its
// own goroutine, tracking them so close can cut them.
type listener struct {
	ln    net.Listener
	addr  string
	conns connSet
	wg    sync.WaitGroup
}

func newListener(ln net.Listener) listener {
	return listener{ln: ln, addr: ln.Addr().String()}
}

// serve accepts connections until the listener is closed, calling handle
// for each; handle need not close the connection.
func (l *listener) serve(log logr.Logger, handle func(net.Conn)) {
	l.wg.Go(func() {
		for {
			c, err := l.ln.Accept()
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					log.Error(err, "accept")
				}
				return
			}
			if !l.conns.add(c) {
				return
			}
			l.wg.Go(func() {
				defer l.conns.remove(c)
				defer func() { _ = c.Close() }()
				handle(c)
			})
		}
	})
}

// connSet tracks live connections so Close can cut them.
type connSet struct {
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// add tracks c, or closes it and returns false after closeAll.
func (cs *connSet) add(c net.Conn) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		_ = c.Close()
		return false
	}
	if cs.conns == nil {
		cs.conns = map[net.Conn]struct{}{}
	}
	cs.conns[c] = struct{}{}
	return true
}

func (cs *connSet) remove(c net.Conn) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.conns, c)
}

func (cs *connSet) closeAll() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.closed = true
	for c := range cs.conns {
		_ = c.Close()
	}
	cs.conns = nil
}

// logWriter logs each line written to it at verbosity 1.
type logWriter struct {
	log logr.Logger
	msg string
}

func (w logWriter) Write(p []byte) (int, error) {
	for line := range strings.SplitSeq(strings.TrimRight(string(p), "\n"), "\n") {
		w.log.V(1).Info(w.msg, "line", line)
	}
	return len(p), nil
}

// tailBuffer keeps the last bytes written to it, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = b.buf[len(b.buf)-b.max:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}

// dirNotEmpty reports whether dir holds files, or cannot be read.
func dirNotEmpty(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0 || err != nil && !errors.Is(err, fs.ErrNotExist)
}
