package gitserver

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
)

// sshRun runs command on the server with a plain SSH client and returns its
// exit status and standard error.
func sshRun(t *testing.T, h *harness, command string) (int, string) {
	t.Helper()
	g := NewWithT(t)
	client, err := ssh.Dial("tcp", h.srv.sshEP.addr, &ssh.ClientConfig{
		User:            "git",
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(h.key.signer)},
		HostKeyCallback: ssh.FixedHostKey(h.srv.HostKey()),
	})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = client.Close() }()
	sess, err := client.NewSession()
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = sess.Close() }()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	sess.Stdin = strings.NewReader("0000") // a flush-pkt ends upload-pack's negotiation
	err = sess.Run(command)
	var exitErr *ssh.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitStatus(), stderr.String()
	}
	g.Expect(err).NotTo(HaveOccurred())
	return 0, stderr.String()
}

// TestSSHCommands checks what the SSH server runs and refuses.
func TestSSHCommands(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := newHarness(t, WithRequestHook(rec.hook))
	seedRepo(t, h.srv, "app.git")
	tests := []struct {
		command    string
		wantStatus int
		wantStderr string
		want       Request
	}{
		{command: "git-upload-pack '/app.git'", want: Request{Service: ServiceUploadPack, Repo: "app.git"}},
		{command: "git-upload-pack 'app.git'", want: Request{Service: ServiceUploadPack, Repo: "app.git"}},
		{command: "git-upload-pack /app.git", want: Request{Service: ServiceUploadPack, Repo: "app.git"}},
		{command: `git upload-pack "/sub/../app.git"`, want: Request{Service: ServiceUploadPack, Repo: "app.git"}},
		{command: "git-upload-pack '/app'", want: Request{Service: ServiceUploadPack, Repo: "app"}}, // upload-pack adds .git
		{
			command: "git-upload-pack '/../outside.git'", wantStatus: 1, wantStderr: "path escapes its root",
			want: Request{Service: ServiceUploadPack, Repo: "/../outside.git", Err: ErrOutsideRoot},
		},
		{
			command: "git-receive-pack '../../etc'", wantStatus: 1, wantStderr: "path escapes its root",
			want: Request{Service: ServiceReceivePack, Repo: "../../etc", Err: ErrOutsideRoot},
		},
		{
			command: "git-upload-pack '/'", wantStatus: 1, wantStderr: "path escapes its root",
			want: Request{Service: ServiceUploadPack, Repo: "/", Err: ErrOutsideRoot},
		},
		{
			command: "sh -c 'cat /etc/passwd'", wantStatus: 1, wantStderr: "unsupported command",
			want: Request{Err: ErrUnsupportedCommand},
		},
		{
			command: "git-upload-pack 'app.git' extra", wantStatus: 1, wantStderr: "one repository argument",
			want: Request{Err: ErrUnsupportedCommand},
		},
		{
			command: "git-upload-pack 'app.git", wantStatus: 1, wantStderr: "unterminated single quote",
			want: Request{Err: ErrUnsupportedCommand},
		},
		{
			command: "git-upload-pack '/missing.git'", wantStatus: 128, wantStderr: "does not appear to be a git repository",
			want: Request{Service: ServiceUploadPack, Repo: "missing.git"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.command, func(t *testing.T) {
			g := NewWithT(t)
			before := len(rec.all())
			status, stderr := sshRun(t, h, tc.command)
			g.Expect(status).To(Equal(tc.wantStatus), stderr)
			g.Expect(stderr).To(ContainSubstring(tc.wantStderr))
			reqs := rec.all()[before:]
			g.Expect(reqs).To(HaveLen(1))
			got := reqs[0]
			g.Expect(got.Protocol).To(Equal(ProtocolSSH))
			g.Expect(got.User).To(Equal("git"))
			g.Expect(got.Authenticated).To(BeTrue())
			g.Expect(got.Service).To(Equal(tc.want.Service))
			g.Expect(got.Repo).To(Equal(tc.want.Repo))
			if tc.want.Err == nil {
				g.Expect(got.Err).NotTo(HaveOccurred())
			} else {
				g.Expect(got.Err).To(MatchError(tc.want.Err))
			}
		})
	}
}

// TestSSHRefusesShells refuses interactive sessions and other channel types.
func TestSSHRefusesShells(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	h := newHarness(t)
	client, err := ssh.Dial("tcp", h.srv.sshEP.addr, &ssh.ClientConfig{
		User:            "git",
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(h.key.signer)},
		HostKeyCallback: ssh.FixedHostKey(h.srv.HostKey()),
	})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = client.Close() }()
	sess, err := client.NewSession()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sess.Shell()).NotTo(Succeed())
	g.Expect(sess.Setenv("LD_PRELOAD", "x")).NotTo(Succeed())
	g.Expect(sess.Setenv("GIT_PROTOCOL", "version=2")).To(Succeed())
	_ = sess.Close()
	_, err = client.Dial("tcp", "127.0.0.1:1")
	g.Expect(err).To(HaveOccurred())
}

func TestParseSSHCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		command     string
		wantService Service
		wantPath    string
		wantErr     string
	}{
		{command: "git-upload-pack '/repo.git'", wantService: ServiceUploadPack, wantPath: "/repo.git"},
		{command: "git-receive-pack 'repo.git'", wantService: ServiceReceivePack, wantPath: "repo.git"},
		{command: "git-upload-pack repo.git", wantService: ServiceUploadPack, wantPath: "repo.git"},
		{command: "git upload-pack '/a b.git'", wantService: ServiceUploadPack, wantPath: "/a b.git"},
		{command: `git-upload-pack '/it'\''s.git'`, wantService: ServiceUploadPack, wantPath: "/it's.git"},
		{command: `git-upload-pack '/wow'\!'.git'`, wantService: ServiceUploadPack, wantPath: "/wow!.git"},
		{command: `git-upload-pack "/a\"b\$.git"`, wantService: ServiceUploadPack, wantPath: `/a"b$.git`},
		{command: `git-upload-pack /a\ b.git`, wantService: ServiceUploadPack, wantPath: "/a b.git"},
		{command: "  git-upload-pack\t'/r.git'  ", wantService: ServiceUploadPack, wantPath: "/r.git"},
		{command: "", wantErr: "empty command"},
		{command: "git", wantErr: "is not git-upload-pack"},
		{command: "git-upload-archive '/r.git'", wantErr: "is not git-upload-pack"},
		{command: "git-upload-pack", wantErr: "one repository argument, got 0"},
		{command: "git-upload-pack a b", wantErr: "one repository argument, got 2"},
		{command: "git-upload-pack 'a", wantErr: "unterminated single quote"},
		{command: `git-upload-pack "a`, wantErr: "unterminated double quote"},
		{command: `git-upload-pack a\`, wantErr: "trailing backslash"},
	}
	for _, tc := range tests {
		t.Run(tc.command, func(t *testing.T) {
			g := NewWithT(t)
			service, p, err := parseSSHCommand(tc.command)
			if tc.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tc.wantErr)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(service).To(Equal(tc.wantService))
			g.Expect(p).To(Equal(tc.wantPath))
		})
	}
}

// sqQuote quotes s the way git's sq_quote_buf does.
func sqQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `!`, `'\!'`)
	return "'" + r.Replace(s) + "'"
}

func FuzzParseSSHCommand(f *testing.F) {
	for _, seed := range []string{"/repo.git", "a b", "it's", "wow!", `a"b`, "../x", "\\", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		// Any input parses or fails without panicking.
		_, _, _ = parseSSHCommand(path)
		_, _, _ = parseSSHCommand("git-upload-pack " + path)
		// What git quotes, the parser reads back unchanged.
		service, got, err := parseSSHCommand("git-receive-pack " + sqQuote(path))
		if err != nil {
			t.Fatalf("parse quoted %q: %v", path, err)
		}
		if service != ServiceReceivePack || got != path {
			t.Fatalf("parse quoted %q: got %v %q", path, service, got)
		}
	})
}

func TestParseHTTPPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, service string
		wantRepo      string
		wantService   Service
	}{
		{path: "/app.git/info/refs", service: "git-upload-pack", wantRepo: "app.git", wantService: ServiceUploadPack},
		{path: "/team/app.git/info/refs", service: "git-receive-pack", wantRepo: "team/app.git", wantService: ServiceReceivePack},
		{path: "/app.git/git-upload-pack", wantRepo: "app.git", wantService: ServiceUploadPack},
		{path: "/app.git/git-receive-pack", wantRepo: "app.git", wantService: ServiceReceivePack},
		{path: "/app.git/info/refs", wantRepo: "app.git", wantService: ServiceUnknown},
		{path: "/app.git/HEAD", wantRepo: "app.git", wantService: ServiceUnknown},
		{path: "/app.git/objects/info/packs", wantRepo: "app.git", wantService: ServiceUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			g := NewWithT(t)
			repo, service := parseHTTPPath(tc.path, tc.service)
			g.Expect(repo).To(Equal(tc.wantRepo))
			g.Expect(service).To(Equal(tc.wantService))
		})
	}
}
