package gitea

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

const (
	// defaultUsername is the administrator [Start] creates without
	// [WithAdmin].
	defaultUsername = "sluice"
	// stopTimeout bounds how long Close waits after SIGTERM before SIGKILL.
	stopTimeout = 10 * time.Second
	// outputTailLines is how many lines of a failed setup command's
	// output an error carries.
	outputTailLines = 20
)

// Server is a Gitea server running as a child process on 127.0.0.1, with
// an SQLite database and repositories in a temporary folder, HTTP and
// Gitea's built-in SSH server on free ports, and a site administrator with
// an access token of scope "all". Create it with [Start] and stop it with
// [Server.Close]. Its methods are safe for concurrent use.
type Server struct {
	dir      string
	httpAddr string
	sshAddr  string
	hostKey  ssh.PublicKey
	username string
	password string
	token    string

	cmd      *exec.Cmd
	exited   chan struct{} // closed when the web process has exited
	waitErr  error         // set before exited is closed
	stopOnce sync.Once
	stopErr  error
}

// Start builds Gitea if needed ([Binary]), writes an app.ini into a new
// temporary folder, migrates the database, creates the administrator and
// an access token with the gitea CLI, then starts `gitea web` and returns
// once GET /api/v1/version answers. A start takes a few seconds once the
// binary is cached.
//
// ctx bounds the build and the start only: cancelling it later does not
// stop the server, [Server.Close] does.
//
// Start returns an error wrapping [ErrInvalidOption] for an invalid
// option, the errors [Binary] returns, and an error wrapping
// [ErrStartFailed] (with the tail of Gitea's output) when a setup command
// fails, the server exits, or it does not answer before ctx ends.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	o := &options{username: defaultUsername, logOutput: io.Discard}
	for _, opt := range opts {
		opt(o)
	}
	if o.logOutput != nil && o.logOutput != io.Discard {
		// The stdout and stderr copies of a process write concurrently.
		o.logOutput = &lockedWriter{w: o.logOutput}
	}
	if o.password == "" {
		o.password = "pw-" + randomHex(12)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("start gitea: %w", err)
	}
	bin := o.binary
	if bin == "" {
		var err error
		if bin, err = Binary(ctx, o.build); err != nil {
			return nil, fmt.Errorf("start gitea: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "sluice-gitea-")
	if err != nil {
		return nil, fmt.Errorf("start gitea: %w", err)
	}
	s, err := start(ctx, o, bin, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start gitea: %w", err)
	}
	return s, nil
}

func start(ctx context.Context, o *options, bin, dir string) (*Server, error) {
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	sshPort, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o700); err != nil {
		return nil, err
	}
	hostKeyPath := filepath.Join(dir, "ssh_host_ed25519_key")
	hostKey, err := writeHostKey(hostKeyPath)
	if err != nil {
		return nil, err
	}
	runUser := "root"
	if u, err := user.Current(); err == nil {
		runUser = u.Username
	}
	s := &Server{
		dir:      dir,
		httpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)),
		sshAddr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(sshPort)),
		hostKey:  hostKey,
		username: o.username,
		password: o.password,
		exited:   make(chan struct{}),
	}
	cfg := appConfig{
		RunUser:     runUser,
		Dir:         dir,
		StaticRoot:  filepath.Dir(bin),
		HTTPPort:    httpPort,
		SSHPort:     sshPort,
		HostKeyPath: hostKeyPath,
		SecretKey:   randomHex(32),
		// Gitea compares the internal token as a string; any long random
		// value does.
		InternalToken: randomHex(48),
		JWTSecret:     base64.RawURLEncoding.EncodeToString(randomBytes(32)),
	}
	var ini bytes.Buffer
	if err := appIni.Execute(&ini, cfg); err != nil {
		return nil, fmt.Errorf("write app.ini: %w", err)
	}
	config := filepath.Join(dir, "app.ini")
	if err := os.WriteFile(config, ini.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("write app.ini: %w", err)
	}

	run := func(label string, args ...string) (string, error) {
		cmd := s.command(ctx, bin, config, args...)
		// stdout is written by one goroutine only; combined, shared by
		// the stdout and stderr copies, is locked.
		var stdout bytes.Buffer
		var combined tailBuffer
		cmd.Stdout = io.MultiWriter(&stdout, &combined, o.logOutput)
		cmd.Stderr = io.MultiWriter(&combined, o.logOutput)
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return "", fmt.Errorf("%w: %s: %w", ErrStartFailed, label, context.Cause(ctx))
			}
			return "", fmt.Errorf("%w: %s: %w\n%s", ErrStartFailed, label, err, tail(redact(combined.String(), s.password), outputTailLines))
		}
		return stdout.String(), nil
	}
	if _, err := run("migrate", "migrate"); err != nil {
		return nil, err
	}
	if _, err := run("create admin user", "admin", "user", "create", "--admin",
		"--username", s.username, "--password", s.password,
		"--email", s.username+"@sluice.test", "--must-change-password=false"); err != nil {
		return nil, err
	}
	out, err := run("generate access token", "admin", "user", "generate-access-token",
		"--username", s.username, "--token-name", "sluice", "--scopes", "all", "--raw")
	if err != nil {
		return nil, err
	}
	s.token = lastLine(out)
	if len(s.token) < 20 {
		return nil, fmt.Errorf("%w: generate access token: unexpected output", ErrStartFailed)
	}

	var webOut tailBuffer
	s.cmd = s.command(context.WithoutCancel(ctx), bin, config, "web")
	s.cmd.Stdout = io.MultiWriter(&webOut, o.logOutput)
	s.cmd.Stderr = io.MultiWriter(&webOut, o.logOutput)
	if err := setProcessGroup(s.cmd); err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: run gitea web: %w", ErrStartFailed, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		_ = s.stop()
		return nil, fmt.Errorf("%w: %w\n%s", ErrStartFailed, err, tail(webOut.String(), outputTailLines))
	}
	return s, nil
}

// command prepares a gitea command with the server's configuration.
func (s *Server) command(ctx context.Context, bin, config string, args ...string) *exec.Cmd {
	full := append([]string{"--config", config, "--work-path", s.dir}, args...)
	cmd := exec.CommandContext(ctx, bin, full...) //nolint:gosec // our own gitea binary and arguments
	cmd.Dir = s.dir
	env := []string{"HOME=" + filepath.Join(s.dir, "home"), "GITEA_WORK_DIR=" + s.dir}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITEA_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// waitReady polls the version endpoint until it answers 200, the process
// exits, or ctx ends.
func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/api/v1/version", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", s.URL(), context.Cause(ctx))
		case <-s.exited:
			return fmt.Errorf("gitea web exited: %w", s.waitErr)
		case <-tick.C:
		}
	}
}

// URL returns the server's base URL, "http://127.0.0.1:PORT", without a
// trailing slash. The REST API lives under URL()+"/api/v1".
func (s *Server) URL() string { return "http://" + s.httpAddr }

// HTTPAddr returns the HTTP listener's address, "127.0.0.1:PORT".
func (s *Server) HTTPAddr() string { return s.httpAddr }

// SSHAddr returns the built-in SSH server's address, "127.0.0.1:PORT". Its
// user is "git".
func (s *Server) SSHAddr() string { return s.sshAddr }

// HostKey returns the SSH server's ed25519 host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey }

// KnownHosts returns a known_hosts line for the SSH server, ending in a
// newline, ready to write to a known_hosts file.
func (s *Server) KnownHosts() []byte {
	return []byte(knownhosts.Line([]string{knownhosts.Normalize(s.sshAddr)}, s.hostKey) + "\n")
}

// HTTPCloneURL returns the HTTP clone URL of owner/repo,
// "http://127.0.0.1:PORT/owner/repo.git". Authenticate with
// [Server.Username] and [Server.Password] or [Server.Token].
func (s *Server) HTTPCloneURL(owner, repo string) string {
	return s.URL() + "/" + owner + "/" + repo + ".git"
}

// SSHCloneURL returns the SSH clone URL of owner/repo,
// "ssh://git@127.0.0.1:PORT/owner/repo.git".
func (s *Server) SSHCloneURL(owner, repo string) string {
	return "ssh://git@" + s.sshAddr + "/" + owner + "/" + repo + ".git"
}

// Username returns the site administrator's name.
func (s *Server) Username() string { return s.username }

// Password returns the site administrator's password.
func (s *Server) Password() string { return s.password }

// Token returns an access token of the administrator with scope "all",
// for `Authorization: token <TOKEN>` headers and Gitea's Go SDK.
func (s *Server) Token() string { return s.token }

// Dir returns the server's temporary folder (app.ini, database,
// repositories), removed by Close.
func (s *Server) Dir() string { return s.dir }

// Close stops the server (SIGTERM to its process group, SIGKILL after 10
// seconds) and removes its folder. It is idempotent; later calls return the
// first call's result.
func (s *Server) Close() error {
	s.stopOnce.Do(func() {
		err := s.stop()
		if rmErr := os.RemoveAll(s.dir); err == nil && rmErr != nil {
			err = fmt.Errorf("close gitea: %w", rmErr)
		}
		s.stopErr = err
	})
	return s.stopErr
}

func (s *Server) stop() error {
	pid := s.cmd.Process.Pid
	if err := signalGroup(pid, false); err != nil {
		return fmt.Errorf("close gitea: %w", err)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		if err := signalGroup(pid, true); err != nil {
			return fmt.Errorf("close gitea: %w", err)
		}
		<-s.exited
	}
	// Kill any git process the server left behind.
	_ = signalGroup(pid, true)
	return nil
}

// appConfig fills appIni.
type appConfig struct {
	RunUser, Dir, StaticRoot, HostKeyPath string
	HTTPPort, SSHPort                     int
	SecretKey, InternalToken, JWTSecret   string
}

var appIni = template.Must(template.New("app.ini").Parse(`APP_NAME = Sluice test Gitea
RUN_USER = {{.RunUser}}
RUN_MODE = prod
WORK_PATH = {{.Dir}}
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
DOMAIN = 127.0.0.1
HTTP_ADDR = 127.0.0.1
HTTP_PORT = {{.HTTPPort}}
ROOT_URL = http://127.0.0.1:{{.HTTPPort}}/
APP_DATA_PATH = {{.Dir}}/data
STATIC_ROOT_PATH = {{.StaticRoot}}
OFFLINE_MODE = true
DISABLE_SSH = false
START_SSH_SERVER = true
BUILTIN_SSH_SERVER_USER = git
SSH_DOMAIN = 127.0.0.1
SSH_LISTEN_HOST = 127.0.0.1
SSH_PORT = {{.SSHPort}}
SSH_LISTEN_PORT = {{.SSHPort}}
SSH_SERVER_HOST_KEYS = {{.HostKeyPath}}
LFS_START_SERVER = false

[database]
DB_TYPE = sqlite3
PATH = {{.Dir}}/data/gitea.db

[repository]
ROOT = {{.Dir}}/repositories
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = {{.SecretKey}}
INTERNAL_TOKEN = {{.InternalToken}}
PASSWORD_HASH_ALGO = pbkdf2_v2

[oauth2]
JWT_SECRET = {{.JWTSecret}}

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
DEFAULT_ALLOW_CREATE_ORGANIZATION = true

[mailer]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[queue]
TYPE = channel

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[cron]
ENABLED = false

[cron.update_checker]
ENABLED = false

[log]
MODE = console
LEVEL = Info
ROOT_PATH = {{.Dir}}/log
`))

// writeHostKey writes a new ed25519 SSH host key in OpenSSH format to path
// and returns its public half.
func writeHostKey(path string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ssh host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "sluice gitea host key")
	if err != nil {
		return nil, fmt.Errorf("encode ssh host key: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("write ssh host key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode ssh host key: %w", err)
	}
	return sshPub, nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// lastLine returns the last non-empty line of s, trimmed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// redact replaces secret in s.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tailBuffer keeps the output of a running process for error messages,
// safe for the concurrent writes of its stdout and stderr copies.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		b.buf.Next(b.buf.Len() - 32<<10)
	}
	return b.buf.Write(p)
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
