package gogit_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// fixture is a server with every protocol started and the repository
// "app.git":
//
//	c1 (main)  <- v1.0.0 (lightweight)
//	c2 (main)  <- v1.1.0 (annotated), main
//	c3 (dev, from c1) <- v2.0.0 (annotated), refs/pull/1/head
type fixture struct {
	srv        *gitserver.Server
	c1, c2, c3 string
	identity   []byte // PEM private key, authorised
	mu         sync.Mutex
	requests   []gitserver.Request
	repo       string
}

func newFixture(t *testing.T, opts ...gitserver.Option) *fixture {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	f := &fixture{repo: "app.git"}
	opts = append(opts, gitserver.WithRequestHook(func(r gitserver.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r)
	}))
	srv, err := gitserver.New(ctx, opts...)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })
	f.srv = srv

	f.c1, err = srv.CreateRepo(ctx, f.repo, gitserver.RepoOptions{Files: map[string]string{"README.md": "one\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(ctx, f.repo, gitserver.TagOptions{Name: "v1.0.0", Target: f.c1})
	g.Expect(err).NotTo(HaveOccurred())
	f.c2, err = srv.Commit(ctx, f.repo, gitserver.CommitOptions{Files: map[string]string{"README.md": "two\n"}, Message: "second"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(ctx, f.repo, gitserver.TagOptions{Name: "v1.1.0", Target: f.c2, Message: "release 1.1.0"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateBranch(ctx, f.repo, gitserver.BranchOptions{Name: "dev", Target: f.c1})
	g.Expect(err).NotTo(HaveOccurred())
	f.c3, err = srv.Commit(ctx, f.repo, gitserver.CommitOptions{Branch: "dev", Files: map[string]string{"README.md": "dev\n"}, Message: "dev work"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(ctx, f.repo, gitserver.TagOptions{Name: "v2.0.0", Target: f.c3, Message: "release 2"})
	g.Expect(err).NotTo(HaveOccurred())
	// #nosec G204 -- fixed git command on a test repository.
	out, err := exec.CommandContext(ctx, "git", "--git-dir", filepath.Join(srv.Root(), f.repo),
		"update-ref", "refs/pull/1/head", f.c3).CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), string(out))

	g.Expect(srv.StartHTTP(ctx)).To(Succeed())
	g.Expect(srv.StartHTTPS(ctx)).To(Succeed())
	g.Expect(srv.StartSSH(ctx)).To(Succeed())
	g.Expect(srv.StartGitDaemon(ctx)).To(Succeed())

	var signer ssh.Signer
	f.identity, signer = newKey(t)
	srv.AuthorizeKey(signer.PublicKey())
	return f
}

// newKey returns a new ed25519 key as PEM and as a signer.
func newKey(t *testing.T) ([]byte, ssh.Signer) {
	t.Helper()
	g := NewWithT(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	g.Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "")
	g.Expect(err).NotTo(HaveOccurred())
	signer, err := ssh.NewSignerFromKey(priv)
	g.Expect(err).NotTo(HaveOccurred())
	return pem.EncodeToMemory(block), signer
}

// takeRequests returns the requests seen since the last call.
func (f *fixture) takeRequests() []gitserver.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

// sshAuth returns AuthOptions for the fixture's SSH URL.
func (f *fixture) sshAuth(t *testing.T) *git.AuthOptions {
	t.Helper()
	auth, err := git.NewAuthOptions(f.srv.SSHURL(f.repo), map[string][]byte{
		git.KeyIdentity:   f.identity,
		git.KeyKnownHosts: f.srv.KnownHosts(),
	})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return auth
}

// readFile returns the content of a file of a clone.
func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name)) // #nosec G304 -- test file.
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// target returns a directory path that does not exist yet.
func target(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "clone")
}

// errorsAs is errors.As for Gomega assertions.
func errorsAs(err error, target any) bool { return errors.As(err, target) }
