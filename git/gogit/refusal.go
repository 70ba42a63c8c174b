package gogit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/net/proxy"

	"github.com/sluice-dev/sluice/git"
)

// sshRefusalTimeout bounds the SSH session that reads why a server refused
// a git command.
const sshRefusalTimeout = 10 * time.Second

// Bounds of the server's message: what is read from stderr, and what is kept
// in an error.
const (
	maxRefusalRead    = 8 << 10
	maxRefusalMessage = 512
)

// explainRefusal adds the server's own words to an SSH failure that go-git
// could not classify. Forges such as Gitea, GitHub and GitLab refuse a key
// that may not run a git command (a read-only deploy key pushing, a key
// without access to the repository) by writing why on the SSH session's
// stderr and exiting non-zero, without a pkt-line advertisement. go-git then
// reports "invalid pkt-len found" (Gitea writes a lone newline on stdout
// first), an unexpected EOF, or "unknown error: " and the first stderr line
// only, and drops the rest of stderr.
//
// For such an error, explainRefusal runs the same command once more over a
// new SSH session, with the same key, known_hosts check and proxy, sends
// nothing (so that the server, if it accepts the command, changes nothing)
// and reads stderr and the exit status. When the server exits non-zero with
// a message, it returns a *git.OpError whose Err holds that message
// (sanitised: printable characters only, secrets redacted, at most
// maxRefusalMessage bytes) and the original error, and whose Kind is:
//
//   - git.ErrRepositoryNotFound when the message says the repository does
//     not exist;
//   - git.ErrAuthenticationFailed when it says the key lacks a right ("not
//     authorized", "permission", "read-only", ...): the same sentinel as the
//     HTTP answers 401 and 403 to a token lacking that right, so that
//     callers see one kind whatever the transport;
//   - git.ErrPushRejected for any other refusal of a push;
//   - nil for any other refusal of a clone, fetch or ls-remote.
//
// Any other error, or a probe that fails or finds the server willing, leaves
// err as it is.
func (r *remote) explainRefusal(ctx context.Context, op string, err error) error {
	var oe *git.OpError
	auth, isSSH := r.auth.(*sshAuth)
	if !isSSH || !errors.As(err, &oe) || oe.Kind != nil || ctx.Err() != nil || r.hostKeys.get() != nil {
		return err
	}
	msg := oe.Err.Error()
	if !errors.Is(oe.Err, pktline.ErrInvalidPktLen) && !errors.Is(oe.Err, io.ErrUnexpectedEOF) &&
		!strings.Contains(msg, pktline.ErrInvalidPktLen.Error()) && !strings.Contains(msg, "unknown error: ") {
		return err
	}
	service := transport.UploadPackServiceName
	if op == "push" {
		service = transport.ReceivePackServiceName
	}
	said, ok := r.sshStderr(ctx, auth, service)
	if !ok {
		return err
	}
	said = r.redact(said)
	out := *oe
	out.Err = fmt.Errorf("server refused %s: %q: %w", service, said, oe.Err)
	lower := strings.ToLower(said)
	switch {
	case containsAny(lower, "not found", "does not exist", "no such repository", "does not appear to be a git repository",
		"could not be found"):
		out.Kind = git.ErrRepositoryNotFound
	case containsAny(lower, "not authorized", "unauthorized", "permission", "access denied", "forbidden",
		"authenticat", "read-only", "read only", "write access"):
		out.Kind = git.ErrAuthenticationFailed
	case op == "push":
		out.Kind = git.ErrPushRejected
	}
	return &out
}

// sshStderr runs service on the repository of r over a new SSH session,
// closes its stdin at once, and returns what the server wrote on stderr when
// it exited non-zero with a message.
func (r *remote) sshStderr(ctx context.Context, auth *sshAuth, service string) (string, bool) {
	ep, err := transport.NewEndpoint(r.url)
	if err != nil {
		return "", false
	}
	port := ep.Port
	if port <= 0 {
		port = gitssh.DefaultPort
	}
	addr := net.JoinHostPort(ep.Host, strconv.Itoa(port))
	cfg, err := auth.ClientConfig()
	if err != nil {
		return "", false
	}
	cfg.Timeout = sshRefusalTimeout
	ctx, cancel := context.WithTimeout(ctx, sshRefusalTimeout)
	defer cancel()
	var conn net.Conn
	if r.proxy.URL != "" {
		u, err := r.proxy.FullURL()
		if err != nil {
			return "", false
		}
		d, err := proxy.FromURL(u, proxy.Direct)
		if err != nil {
			return "", false
		}
		cd, ok := d.(proxy.ContextDialer)
		if !ok {
			return "", false
		}
		conn, err = cd.DialContext(ctx, "tcp", addr)
		if err != nil {
			return "", false
		}
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return "", false
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		_ = conn.Close()
		return "", false
	}
	client := ssh.NewClient(c, chans, reqs)
	defer func() { _ = client.Close() }()
	sess, err := client.NewSession()
	if err != nil {
		return "", false
	}
	stderr := &limitedBuffer{max: maxRefusalRead}
	sess.Stderr = stderr // stdout is discarded
	var exitErr *ssh.ExitError
	if err := sess.Run(service + " " + shellQuote(ep.Path)); !errors.As(err, &exitErr) {
		return "", false
	}
	said := serverMessage(stderr.String())
	return said, said != ""
}

// serverMessage turns what a server wrote on stderr into one line: printable
// characters only, lines that hold no more than a "remote:", "error:" or
// "fatal:" prefix dropped, the rest joined with "; ", at most
// maxRefusalMessage bytes.
func serverMessage(s string) string {
	var lines []string
	for line := range strings.Lines(s) {
		line = strings.Map(func(c rune) rune {
			switch {
			case c == '\t':
				return ' '
			case unicode.IsPrint(c):
				return c
			default:
				return -1
			}
		}, line)
		line = strings.TrimSpace(line)
		bare := line
		for _, p := range []string{"remote:", "error:", "fatal:"} {
			bare = strings.TrimPrefix(bare, p)
		}
		if strings.Trim(bare, " =-") == "" {
			continue
		}
		lines = append(lines, line)
	}
	msg := strings.Join(lines, "; ")
	if len(msg) > maxRefusalMessage {
		msg = strings.ToValidUTF8(msg[:maxRefusalMessage], "") + "..."
	}
	return msg
}

// shellQuote quotes s for a POSIX shell as git does for the path of an SSH
// command: in single quotes, with ' and ! closed, escaped and reopened.
func shellQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, c := range s {
		if c == '\'' || c == '!' {
			b.WriteString(`'\`)
			b.WriteRune(c)
			b.WriteByte('\'')
			continue
		}
		b.WriteRune(c)
	}
	b.WriteByte('\'')
	return b.String()
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest without failing, so that a chatty server cannot stall the session.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
