package gitserver

import (
	"crypto/rand"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	. "github.com/onsi/gomega"
)

// TestClients clones, shallow-clones and pushes with the git CLI and go-git
// over every protocol.
func TestClients(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, proto := range allProtocols() {
		t.Run(proto.String(), func(t *testing.T) {
			t.Parallel()
			t.Run("cli", func(t *testing.T) {
				t.Parallel()
				testCLI(t, h, proto)
			})
			t.Run("gogit", func(t *testing.T) {
				t.Parallel()
				testGoGit(t, h, proto)
			})
		})
	}
}

// seedRepo creates a repository with two commits and returns the second.
func seedRepo(t *testing.T, srv *Server, name string) string {
	t.Helper()
	g := NewWithT(t)
	_, err := srv.CreateRepo(t.Context(), name, RepoOptions{Files: map[string]string{"README.md": "one\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	head, err := srv.Commit(t.Context(), name, CommitOptions{Files: map[string]string{"README.md": "two\n"}, Message: "second"})
	g.Expect(err).NotTo(HaveOccurred())
	return head
}

func testCLI(t *testing.T, h *harness, proto Protocol) {
	g := NewWithT(t)
	repo := "cli-" + proto.String() + ".git"
	head := seedRepo(t, h.srv, repo)
	url := h.url(proto, repo)
	env := h.cliEnv(t, proto)

	t.Run("shallow clone", func(t *testing.T) {
		dir := t.TempDir()
		mustGit(t, h.home, "", env, "clone", "--quiet", "--depth=1", url, dir)
		g := NewWithT(t)
		g.Expect(mustGit(t, h.home, dir, nil, "rev-list", "--count", "HEAD")).To(Equal("1"))
		g.Expect(mustGit(t, h.home, dir, nil, "rev-parse", "HEAD")).To(Equal(head))
	})

	dir := t.TempDir()
	mustGit(t, h.home, "", env, "clone", "--quiet", url, dir)
	g.Expect(readFile(t, dir, "README.md")).To(Equal("two\n"))
	g.Expect(mustGit(t, h.home, dir, nil, "rev-list", "--count", "HEAD")).To(Equal("2"))

	mustGit(t, h.home, dir, nil, "commit", "--quiet", "--allow-empty", "-m", "pushed by the cli")
	pushed := mustGit(t, h.home, dir, nil, "rev-parse", "HEAD")
	mustGit(t, h.home, dir, env, "push", "--quiet", "origin", "HEAD:main", "HEAD:refs/heads/new")
	for _, ref := range []string{"main", "new"} {
		got, err := h.srv.Resolve(t.Context(), repo, ref)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal(pushed), ref)
	}

	if proto == ProtocolHTTP || proto == ProtocolHTTPS {
		// Above http.postBuffer git sends a chunked request body (HTTP/1.1)
		// or one of unknown length (HTTP/2), which net/http/cgi alone
		// refuses. A small buffer keeps the test fast.
		t.Run("large push", func(t *testing.T) {
			g := NewWithT(t)
			big := make([]byte, 256<<10)
			_, _ = rand.Read(big)
			g.Expect(writeFile(dir, "big.bin", string(big))).To(Succeed())
			mustGit(t, h.home, dir, nil, "add", "big.bin")
			mustGit(t, h.home, dir, nil, "commit", "--quiet", "-m", "big")
			mustGit(t, h.home, dir, env, "-c", "http.postBuffer=65536", "push", "--quiet", "origin", "HEAD:main")
			got, err := h.srv.Resolve(t.Context(), repo, "main")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(mustGit(t, h.home, dir, nil, "rev-parse", "HEAD")))
		})
	}
}

func testGoGit(t *testing.T, h *harness, proto Protocol) {
	g := NewWithT(t)
	repo := "gogit-" + proto.String() + ".git"
	head := seedRepo(t, h.srv, repo)
	url := h.url(proto, repo)

	t.Run("shallow clone", func(t *testing.T) {
		g := NewWithT(t)
		r, err := gogit.PlainCloneContext(t.Context(), t.TempDir(), false, &gogit.CloneOptions{
			URL: url, Auth: h.gogitAuth(t, proto), CABundle: h.caBundle(proto), Depth: 1,
		})
		g.Expect(err).NotTo(HaveOccurred())
		ref, err := r.Head()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(ref.Hash().String()).To(Equal(head))
		shallow, err := r.Storer.Shallow()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(shallow).To(Equal([]plumbing.Hash{plumbing.NewHash(head)}))
	})

	dir := t.TempDir()
	r, err := gogit.PlainCloneContext(t.Context(), dir, false, &gogit.CloneOptions{
		URL: url, Auth: h.gogitAuth(t, proto), CABundle: h.caBundle(proto),
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(readFile(t, dir, "README.md")).To(Equal("two\n"))
	ref, err := r.Head()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ref.Name().String()).To(Equal("refs/heads/main"))
	g.Expect(ref.Hash().String()).To(Equal(head))

	pushed := gogitCommit(t, r, map[string]string{"pushed.txt": "by go-git\n"}, "pushed by go-git")
	g.Expect(r.PushContext(t.Context(), &gogit.PushOptions{
		Auth: h.gogitAuth(t, proto), CABundle: h.caBundle(proto),
	})).To(Succeed())
	got, err := h.srv.Resolve(t.Context(), repo, "main")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal(pushed))
}

func writeFile(dir, name, content string) error {
	return osWriteFile(filepath.Join(dir, name), content)
}

// TestRepoInSubdirectory serves a repository below a folder of the root.
func TestRepoInSubdirectory(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	h := newHarness(t)
	head, err := h.srv.CreateRepo(t.Context(), "team/app.git", RepoOptions{Files: map[string]string{"a": "a\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	for _, proto := range allProtocols() {
		out := mustGit(t, h.home, "", h.cliEnv(t, proto), "ls-remote", h.url(proto, "team/app.git"), "HEAD")
		g.Expect(out).To(Equal(fmt.Sprintf("%s\tHEAD", head)), proto.String())
		g.Expect(strings.Fields(out)).To(HaveLen(2))
	}
}
