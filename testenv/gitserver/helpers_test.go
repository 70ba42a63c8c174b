package gitserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// allProtocols lists every protocol a harness serves.
func allProtocols() []Protocol {
	return []Protocol{ProtocolHTTP, ProtocolHTTPS, ProtocolSSH, ProtocolGit}
}

// harness is a Server with every protocol started, an authorised client key
// and a known_hosts file for it.
type harness struct {
	srv        *Server
	key        *testKey
	knownHosts string // path of a known_hosts file
	home       string // HOME of the git CLI
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	g := NewWithT(t)
	srv := newServer(t, opts...)
	ctx := t.Context()
	g.Expect(srv.StartHTTP(ctx)).To(Succeed())
	g.Expect(srv.StartHTTPS(ctx)).To(Succeed())
	g.Expect(srv.StartSSH(ctx)).To(Succeed())
	g.Expect(srv.StartGitDaemon(ctx)).To(Succeed())
	h := &harness{srv: srv, key: newTestKey(t), home: t.TempDir()}
	srv.AuthorizeKey(h.key.signer.PublicKey())
	h.knownHosts = filepath.Join(t.TempDir(), "known_hosts")
	g.Expect(os.WriteFile(h.knownHosts, srv.KnownHosts(), 0o600)).To(Succeed())
	return h
}

// newServer returns a Server closed at the end of the test.
func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv, err := New(t.Context(), opts...)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

func (h *harness) url(p Protocol, repo string) string {
	switch p {
	case ProtocolHTTP:
		return h.srv.HTTPURL(repo)
	case ProtocolHTTPS:
		return h.srv.HTTPSURL(repo)
	case ProtocolSSH:
		return h.srv.SSHURL(repo)
	default:
		return h.srv.GitURL(repo)
	}
}

// cliEnv returns the environment the git CLI needs to reach the server
// over p: the CA for HTTPS, the key and known_hosts for SSH.
func (h *harness) cliEnv(t *testing.T, p Protocol) []string {
	switch p {
	case ProtocolHTTPS:
		ca := filepath.Join(t.TempDir(), "ca.pem")
		NewWithT(t).Expect(os.WriteFile(ca, h.srv.CACertPEM(), 0o600)).To(Succeed())
		return []string{"GIT_SSL_CAINFO=" + ca}
	case ProtocolSSH:
		return []string{sshCommandEnv(h.key.path, h.knownHosts)}
	default:
		return nil
	}
}

// sshCommandEnv makes the git CLI use OpenSSH with only this key and this
// known_hosts file.
func sshCommandEnv(key, knownHosts string) string {
	return "GIT_SSH_COMMAND=ssh -F /dev/null -i " + key +
		" -o UserKnownHostsFile=" + knownHosts +
		" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes" +
		" -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR"
}

// gogitAuth returns go-git's credentials for p.
func (h *harness) gogitAuth(t *testing.T, p Protocol) transport.AuthMethod {
	if p != ProtocolSSH {
		return nil
	}
	return &gitssh.PublicKeys{User: "git", Signer: h.key.signer, HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
		HostKeyCallback: hostKeyCallback(t, h.knownHosts),
	}}
}

func hostKeyCallback(t *testing.T, knownHostsFile string) ssh.HostKeyCallback {
	cb, err := knownhosts.New(knownHostsFile)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return cb
}

// caBundle returns the CA bundle go-git needs for p.
func (h *harness) caBundle(p Protocol) []byte {
	if p == ProtocolHTTPS {
		return h.srv.CACertPEM()
	}
	return nil
}

// runGit runs the git CLI as a client, isolated from the host's
// configuration, and returns its combined output.
func runGit(ctx context.Context, home, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnviron(),
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
		"LC_ALL=C",
		"GIT_AUTHOR_NAME=Client", "GIT_AUTHOR_EMAIL=client@sluice.invalid",
		"GIT_COMMITTER_NAME=Client", "GIT_COMMITTER_EMAIL=client@sluice.invalid",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// mustGit is runGit that fails the test on error.
func mustGit(t *testing.T, home, dir string, env []string, args ...string) string {
	t.Helper()
	out, err := runGit(t.Context(), home, dir, env, args...)
	NewWithT(t).Expect(err).NotTo(HaveOccurred(), "git %s: %s", strings.Join(args, " "), out)
	return out
}

// testKey is an Ed25519 SSH key pair with its private key in a 0600 file.
type testKey struct {
	path   string
	pem    []byte
	signer ssh.Signer
}

func newTestKey(t *testing.T) *testKey {
	t.Helper()
	g := NewWithT(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	g.Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "")
	g.Expect(err).NotTo(HaveOccurred())
	signer, err := ssh.NewSignerFromKey(priv)
	g.Expect(err).NotTo(HaveOccurred())
	k := &testKey{path: filepath.Join(t.TempDir(), "id_ed25519"), pem: pem.EncodeToMemory(block), signer: signer}
	g.Expect(os.WriteFile(k.path, k.pem, 0o600)).To(Succeed())
	return k
}

// authorizedLine is the public key in authorized_keys format, without
// newline.
func (k *testKey) authorizedLine() string {
	return string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(k.signer.PublicKey())))
}

// gogitCommit writes files in the worktree of r and commits them.
func gogitCommit(t *testing.T, r *gogit.Repository, files map[string]string, msg string) string {
	t.Helper()
	g := NewWithT(t)
	wt, err := r.Worktree()
	g.Expect(err).NotTo(HaveOccurred())
	for _, p := range slices.Sorted(maps.Keys(files)) {
		f, err := wt.Filesystem.Create(p)
		g.Expect(err).NotTo(HaveOccurred())
		_, err = f.Write([]byte(files[p]))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(f.Close()).To(Succeed())
		_, err = wt.Add(p)
		g.Expect(err).NotTo(HaveOccurred())
	}
	sig := &object.Signature{Name: "Client", Email: "client@sluice.invalid", When: time.Unix(1704067200, 0)}
	hash, err := wt.Commit(msg, &gogit.CommitOptions{Author: sig, Committer: sig})
	g.Expect(err).NotTo(HaveOccurred())
	return hash.String()
}

// basicAuth is go-git's basic auth.
func basicAuth(user, pass string) transport.AuthMethod {
	return &githttp.BasicAuth{Username: user, Password: pass}
}

// readFile reads a file of a clone.
func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return string(b)
}

func osWriteFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o644)
}
