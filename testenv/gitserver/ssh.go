package gitserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// handshakeTimeout bounds an SSH handshake or the first git:// packet.
const handshakeTimeout = 30 * time.Second

// sshEndpoint is a running SSH server.
type sshEndpoint struct {
	listener
	// done is closed by close, to stop the git processes.
	done chan struct{}
}

// StartSSH serves the repositories over SSH on 127.0.0.1 and a free port;
// see SSHURL. The server runs only git-upload-pack and git-receive-pack, on
// repositories under the root. Clients log in with any user name and a key
// given to AuthorizeKey, or with the password of WithBasicAuth; they check
// the server with KnownHosts or HostKey. ctx bounds the start only: the
// server runs until Close. A second call does nothing.
//
// It returns ErrClosed after Close.
func (s *Server) StartSSH(ctx context.Context) error {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.mu.RLock()
	closed, running := s.closed, s.sshEP != nil
	s.mu.RUnlock()
	if closed {
		return fmt.Errorf("start ssh: %w", ErrClosed)
	}
	if running {
		return nil
	}
	ln, err := listenLocal(ctx)
	if err != nil {
		return fmt.Errorf("start ssh: %w", err)
	}
	ep := &sshEndpoint{listener: newListener(ln), done: make(chan struct{})}
	ep.serve(s.opts.log.WithValues("protocol", ProtocolSSH), func(c net.Conn) { s.serveSSHConn(ep, c) })
	s.mu.Lock()
	s.sshEP = ep
	s.mu.Unlock()
	s.opts.log.V(1).Info("started", "protocol", ProtocolSSH, "addr", ep.addr)
	return nil
}

// HostKey returns the public key of the SSH server. It is available before
// StartSSH.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// KnownHosts returns a known_hosts line for the SSH server, such as
// "[127.0.0.1]:PORT ssh-ed25519 AAAA...\n", or nil before StartSSH.
func (s *Server) KnownHosts() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sshEP == nil {
		return nil
	}
	return []byte(knownhosts.Line([]string{knownhosts.Normalize(s.sshEP.addr)}, s.HostKey()) + "\n")
}

// AuthorizeKey lets SSH clients log in with key, under any user name. It may
// be called at any time, also while the server runs.
func (s *Server) AuthorizeKey(key ssh.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorized[string(key.Marshal())] = true
}

func (s *Server) isAuthorized(key ssh.PublicKey) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.authorized[string(key.Marshal())]
}

func (ep *sshEndpoint) close() {
	close(ep.done)
	_ = ep.ln.Close()
	ep.conns.closeAll()
	ep.wg.Wait()
}

// sshConfig returns a server configuration for one connection. authFailed
// records whether a key or password was refused.
func (s *Server) sshConfig(authFailed *bool) *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-sluice-gitserver",
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if !s.isAuthorized(key) {
				return nil, errors.New("unknown public key")
			}
			return &ssh.Permissions{Extensions: map[string]string{"fingerprint": ssh.FingerprintSHA256(key)}}, nil
		},
		AuthLogCallback: func(_ ssh.ConnMetadata, method string, err error) {
			if err != nil && method != "none" {
				*authFailed = true
			}
		},
	}
	if s.opts.basic {
		cfg.PasswordCallback = func(c ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
			if equal(c.User(), s.opts.basicUser) && equal(string(password), s.opts.basicPass) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong user or password")
		}
	}
	cfg.AddHostKey(s.hostKey)
	return cfg
}

func (s *Server) serveSSHConn(ep *sshEndpoint, c net.Conn) {
	var authFailed bool
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	conn, chans, reqs, err := ssh.NewServerConn(c, s.sshConfig(&authFailed))
	if err != nil {
		s.opts.log.V(1).Info("ssh handshake failed", "remote", c.RemoteAddr().String(), "error", err.Error())
		var authErr *ssh.ServerAuthError
		if authFailed || errors.As(err, &authErr) && len(authErr.Errors) > 0 {
			s.notify(Request{Protocol: ProtocolSSH, Err: ErrUnauthenticated})
		}
		return
	}
	_ = c.SetDeadline(time.Time{})
	defer func() { _ = conn.Close() }()
	go ssh.DiscardRequests(reqs)

	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels are supported")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { _ = ch.Close() }()
			s.serveSSHSession(ep, conn.User(), ch, chReqs)
		}()
	}
}

// serveSSHSession accepts the GIT_PROTOCOL environment variable and one exec
// request, and refuses shells, subsystems and terminals.
func (s *Server) serveSSHSession(ep *sshEndpoint, user string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	var env []string
	for r := range reqs {
		switch r.Type {
		case "env":
			var kv struct{ Name, Value string }
			ok := ssh.Unmarshal(r.Payload, &kv) == nil && kv.Name == "GIT_PROTOCOL"
			if ok {
				env = append(env, "GIT_PROTOCOL="+kv.Value)
			}
			_ = r.Reply(ok, nil)
		case "exec":
			var payload struct{ Command string }
			if err := ssh.Unmarshal(r.Payload, &payload); err != nil {
				_ = r.Reply(false, nil)
				continue
			}
			_ = r.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			status := s.execSSH(ep, user, payload.Command, env, ch)
			_ = ch.CloseWrite()
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
			return
		default:
			_ = r.Reply(false, nil)
		}
	}
}

// execSSH runs one git command for an SSH client and returns its exit status.
func (s *Server) execSSH(ep *sshEndpoint, user, command string, env []string, ch ssh.Channel) uint32 {
	req := Request{Protocol: ProtocolSSH, User: user, Authenticated: true}
	refuse := func(err error) uint32 {
		req.Err = err
		s.notify(req)
		_, _ = fmt.Fprintf(ch.Stderr(), "gitserver: %v\n", err)
		return 1
	}
	service, repo, err := parseSSHCommand(command)
	if err != nil {
		return refuse(fmt.Errorf("%w: %w", ErrUnsupportedCommand, err))
	}
	req.Service = service
	rel, dir, err := s.localRepo(repo)
	if err != nil {
		req.Repo = repo
		return refuse(err)
	}
	req.Repo = rel
	if s.opts.readOnly && service == ServiceReceivePack {
		return refuse(fmt.Errorf("%w: pushes are refused", ErrReadOnly))
	}
	s.notify(req)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-ep.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	sub := strings.TrimPrefix(service.String(), "git-")
	cmd := exec.CommandContext(ctx, s.git, sub, dir)
	cmd.Dir = s.root
	cmd.Env = append(append(cmd.Env, s.serveEnv...), env...)
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		_, _ = fmt.Fprintf(ch.Stderr(), "gitserver: start %s: %v\n", service, err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		_, _ = fmt.Fprintf(ch.Stderr(), "gitserver: start %s: %v\n", service, err)
		return 1
	}
	// Not waited for: the client may keep its side open until it sees the
	// exit status; closing the channel ends this copy.
	go func() {
		_, _ = io.Copy(stdin, ch)
		_ = stdin.Close()
	}()
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && exitErr.ExitCode() > 0 && exitErr.ExitCode() <= 255 {
			return uint32(exitErr.ExitCode()) //nolint:gosec // G115: 1..255 fits
		}
		return 1
	}
	return 0
}

// parseSSHCommand parses the command of an SSH exec request, such as
// "git-upload-pack '/app.git'" or "git receive-pack app.git", with the
// repository argument quoted or not.
func parseSSHCommand(command string) (Service, string, error) {
	words, err := shellWords(command)
	if err != nil {
		return ServiceUnknown, "", err
	}
	if len(words) > 0 && words[0] == "git" && len(words) > 1 {
		words = append([]string{"git-" + words[1]}, words[2:]...)
	}
	if len(words) == 0 {
		return ServiceUnknown, "", errors.New("empty command")
	}
	service := parseService(words[0])
	if service == ServiceUnknown {
		return ServiceUnknown, "", fmt.Errorf("command %q is not git-upload-pack or git-receive-pack", words[0])
	}
	if len(words) != 2 {
		return ServiceUnknown, "", fmt.Errorf("%s takes one repository argument, got %d", service, len(words)-1)
	}
	return service, words[1], nil
}

// shellWords splits s into words the way a POSIX shell would for a simple
// command without expansions: blanks separate words, single quotes keep
// everything literally, double quotes keep everything but backslash escapes
// of \ " $ ` and newline, and a backslash outside quotes escapes the next
// character.
func shellWords(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`\n", s[i+1]) >= 0 {
					i++
					if s[i] == '\n' {
						continue // line continuation
					}
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			inWord = true
		case '\\':
			if i+1 >= len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			if s[i] == '\n' {
				continue // line continuation
			}
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
