package gogit_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"unicode"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// giteaReadOnlyKeyStderr is what Gitea's "gitea serv" (cmd/serv.go, fail)
// writes on stderr when a read-only deploy key runs git-receive-pack; it
// also writes a lone "\n" on stdout and exits 1.
const giteaReadOnlyKeyStderr = "error:\nerror: Deploy Key: 1:sluice-dev is not authorized to write to sluice/fleet.\nerror:\n"

// refusingSSHServer is an SSH server that behaves like Gitea, GitHub or
// GitLab for a key that may not run the requested git command: it accepts
// the key, then answers every exec request by writing stdout and stderr and
// exiting with status 1, without any pkt-line advertisement. It stands in
// for a real forge's refusal, which testenv/gitserver does not mimic.
type refusingSSHServer struct {
	addr     string
	hostKey  ssh.PublicKey
	mu       sync.Mutex
	commands []string
}

func newRefusingSSHServer(t *testing.T, client ssh.PublicKey, stdout, stderr string) *refusingSSHServer {
	t.Helper()
	g := NewWithT(t)
	_, hostSigner := newKey(t)
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if string(key.Marshal()) != string(client.Marshal()) {
				return nil, errors.New("unknown key")
			}
			return &ssh.Permissions{}, nil
		},
	}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	s := &refusingSSHServer{addr: ln.Addr().String(), hostKey: hostSigner.PublicKey()}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(c, cfg, stdout, stderr)
			}()
		}
	}()
	return s
}

func (s *refusingSSHServer) serve(c net.Conn, cfg *ssh.ServerConfig, stdout, stderr string) {
	defer func() { _ = c.Close() }()
	conn, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer func() { _ = conn.Close() }()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		for r := range chReqs {
			if r.Type != "exec" {
				_ = r.Reply(r.Type == "env", nil)
				continue
			}
			var payload struct{ Command string }
			_ = ssh.Unmarshal(r.Payload, &payload)
			s.mu.Lock()
			s.commands = append(s.commands, payload.Command)
			s.mu.Unlock()
			_ = r.Reply(true, nil)
			_, _ = io.WriteString(ch, stdout)
			_, _ = io.WriteString(ch.Stderr(), stderr)
			_ = ch.CloseWrite()
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{1}))
			_ = ch.Close()
			break
		}
		go ssh.DiscardRequests(chReqs)
	}
}

func (s *refusingSSHServer) url(repo string) string { return "ssh://git@" + s.addr + "/" + repo }

func (s *refusingSSHServer) knownHosts() []byte {
	return []byte(knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, s.hostKey) + "\n")
}

// takeCommands returns the exec commands seen since the last call.
func (s *refusingSSHServer) takeCommands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.commands
	s.commands = nil
	return c
}

// TestPushRefusedBySSHServer pushes with a key the server refuses, the way
// forges refuse a read-only deploy key: a message on stderr, exit status 1,
// no advertisement. The error holds the server's words and a sentinel.
func TestPushRefusedBySSHServer(t *testing.T) {
	long := "error: " + strings.Repeat("x", 2000) + "\x1b[31m\n"
	tests := []struct {
		name, stdout, stderr string
		kind                 error
		contains             []string
	}{
		{
			name: "gitea read-only deploy key", stdout: "\n", stderr: giteaReadOnlyKeyStderr,
			kind:     git.ErrAuthenticationFailed,
			contains: []string{`"error: Deploy Key: 1:sluice-dev is not authorized to write to sluice/fleet."`, "invalid pkt-len found"},
		},
		{
			name: "github read-only deploy key", stderr: "ERROR: The key you are authenticating with has been marked as read only.\n",
			kind:     git.ErrAuthenticationFailed,
			contains: []string{"marked as read only"},
		},
		{
			name: "repository gone", stdout: "\n", stderr: "error:\nerror: Repository does not exist or you do not have access\nerror:\n",
			kind:     git.ErrRepositoryNotFound,
			contains: []string{"Repository does not exist"},
		},
		{
			name: "other refusal", stderr: "remote: ========\nremote: pushes are disabled during maintenance\nremote:\n",
			kind:     git.ErrPushRejected,
			contains: []string{`"remote: pushes are disabled during maintenance"`},
		},
		{
			name: "long message with escape codes", stdout: "\n", stderr: long,
			kind:     git.ErrPushRejected,
			contains: []string{"xxx..."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := t.Context()
			identity, signer := newKey(t)
			srv := newRefusingSSHServer(t, signer.PublicKey(), tt.stdout, tt.stderr)
			url := srv.url("sluice/fleet.git")
			auth, err := git.NewAuthOptions(url, map[string][]byte{git.KeyIdentity: identity, git.KeyKnownHosts: srv.knownHosts()})
			g.Expect(err).NotTo(HaveOccurred())
			c, err := gogit.NewClient(target(t), auth)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c.Init(ctx, url, git.InitOptions{})).To(Succeed())
			_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
			g.Expect(err).NotTo(HaveOccurred())

			err = c.Push(ctx, git.PushOptions{})
			g.Expect(err).To(MatchError(tt.kind))
			var opErr *git.OpError
			g.Expect(errorsAs(err, &opErr)).To(BeTrue())
			g.Expect(opErr.Op).To(Equal("push"))
			g.Expect(opErr.Kind).To(Equal(tt.kind))
			for _, s := range tt.contains {
				g.Expect(err.Error()).To(ContainSubstring(s))
			}
			g.Expect(strings.IndexFunc(err.Error(), func(r rune) bool { return !unicode.IsPrint(r) })).To(Equal(-1), "printable only")
			g.Expect(len(err.Error())).To(BeNumerically("<", 1024), "bounded")
			// go-git's session, then the one that read the message.
			g.Expect(srv.takeCommands()).To(Equal([]string{"git-receive-pack '/sluice/fleet.git'", "git-receive-pack '/sluice/fleet.git'"}))
		})
	}
}

// TestCloneRefusedBySSHServer: clone and ls-remote share the explanation
// of a refusal, with git-upload-pack.
func TestCloneRefusedBySSHServer(t *testing.T) {
	tests := []struct {
		name, stderr string
		kind         error
	}{
		{name: "no access", stderr: "error:\nerror: Repository does not exist or you do not have access\nerror:\n", kind: git.ErrRepositoryNotFound},
		{name: "key without read right", stderr: "error:\nerror: Deploy Key: 2:other is not authorized to read sluice/fleet.\nerror:\n", kind: git.ErrAuthenticationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := t.Context()
			identity, signer := newKey(t)
			srv := newRefusingSSHServer(t, signer.PublicKey(), "\n", tt.stderr)
			url := srv.url("sluice/fleet.git")
			auth, err := git.NewAuthOptions(url, map[string][]byte{git.KeyIdentity: identity, git.KeyKnownHosts: srv.knownHosts()})
			g.Expect(err).NotTo(HaveOccurred())
			c, err := gogit.NewClient(target(t), auth)
			g.Expect(err).NotTo(HaveOccurred())

			_, err = c.Clone(ctx, url, git.CloneOptions{})
			g.Expect(err).To(MatchError(tt.kind))
			g.Expect(err.Error()).To(HavePrefix("clone "))
			g.Expect(err.Error()).To(ContainSubstring("server refused git-upload-pack"))
			g.Expect(srv.takeCommands()).To(HaveEach("git-upload-pack '/sluice/fleet.git'"))

			_, err = c.LsRemote(ctx, url, git.LsRemoteOptions{})
			g.Expect(err).To(MatchError(tt.kind))
			g.Expect(err.Error()).To(ContainSubstring("server refused git-upload-pack"))
		})
	}
}

// TestPushReadOnlyGitServer pushes to testenv/gitserver WithReadOnly: over
// SSH it writes the refusal on stderr and exits 1, over HTTP it answers
// 403. Both give git.ErrAuthenticationFailed, and the SSH error says why.
func TestPushReadOnlyGitServer(t *testing.T) {
	f := newFixture(t, gitserver.WithReadOnly())
	for _, proto := range []string{"ssh", "http"} {
		t.Run(proto, func(t *testing.T) {
			g := NewWithT(t)
			ctx := t.Context()
			url, auth := f.srv.HTTPURL(f.repo), (*git.AuthOptions)(nil)
			if proto == "ssh" {
				url, auth = f.srv.SSHURL(f.repo), f.sshAuth(t)
			}
			c, err := gogit.NewClient(target(t), auth)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(ctx, url, git.CloneOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
			g.Expect(err).NotTo(HaveOccurred())

			err = c.Push(ctx, git.PushOptions{})
			g.Expect(err).To(MatchError(git.ErrAuthenticationFailed))
			if proto == "ssh" {
				g.Expect(err.Error()).To(ContainSubstring(`server refused git-receive-pack: "gitserver: server is read-only: pushes are refused"`))
			}
			g.Expect(f.serverGit(t, f.repo, "rev-parse", "refs/heads/main")).To(Equal(f.c2))
		})
	}
}
