package gogit_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// createSuperproject creates repo on srv with one file and the given
// submodules (path to URL), each a gitlink to the commit that is the head
// of pins[path], using the git command line. It returns the commit.
func createSuperproject(t *testing.T, srv *gitserver.Server, repo string, subs map[string]string, pins map[string]string) string {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	_, err := srv.CreateRepo(ctx, repo, gitserver.RepoOptions{Files: map[string]string{repo + ".txt": repo + "\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	work := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		full := append([]string{"-c", "user.name=Test", "-c", "user.email=test@sluice.invalid", "-C", work}, args...)
		// #nosec G204 -- git commands on test repositories.
		out, err := exec.CommandContext(ctx, "git", full...).CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), "git %v: %s", args, out)
		return strings.TrimSpace(string(out))
	}
	run("clone", "-q", filepath.Join(srv.Root(), repo), ".")
	paths := make([]string, 0, len(subs))
	for p := range subs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var gitmodules strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&gitmodules, "[submodule %q]\n\tpath = %s\n\turl = %s\n", p, p, subs[p])
		run("update-index", "--add", "--cacheinfo", "160000,"+pins[p]+","+p)
	}
	// #nosec G204 -- git command on a test repository.
	cmd := exec.CommandContext(ctx, "git", "-C", work, "hash-object", "-w", "--stdin")
	cmd.Stdin = strings.NewReader(gitmodules.String())
	out, err := cmd.Output()
	g.Expect(err).NotTo(HaveOccurred())
	run("update-index", "--add", "--cacheinfo", "100644,"+strings.TrimSpace(string(out))+",.gitmodules")
	run("commit", "-q", "-m", "add submodules")
	run("push", "-q", "origin", "HEAD:main")
	return run("rev-parse", "HEAD")
}

func TestCloneSubmodules(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("alice", "s3cret-pass"))
	ctx := t.Context()
	g := NewWithT(t)
	lib, err := f.srv.CreateRepo(ctx, "lib.git", gitserver.RepoOptions{Files: map[string]string{"lib.txt": "lib\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	mid := createSuperproject(t, f.srv, "mid.git", map[string]string{"lib": "../lib.git"}, map[string]string{"lib": lib})
	top := createSuperproject(t, f.srv, "top.git", map[string]string{"vendor/mid": "../mid.git", "deploy/lib": "./../lib.git"},
		map[string]string{"vendor/mid": mid, "deploy/lib": lib})

	basic := func(url string) *git.AuthOptions {
		a, err := git.NewAuthOptions(url, map[string][]byte{git.KeyUsername: []byte("alice"), git.KeyPassword: []byte("s3cret-pass")})
		g.Expect(err).NotTo(HaveOccurred())
		a.AllowInsecureHTTP = true
		return a
	}
	httpsAuth, err := git.NewAuthOptions(f.srv.HTTPSURL("top.git"), map[string][]byte{
		git.KeyUsername: []byte("alice"), git.KeyPassword: []byte("s3cret-pass"), git.KeyCACert: f.srv.CACertPEM(),
	})
	g.Expect(err).NotTo(HaveOccurred())
	sshAuth, err := git.NewAuthOptions(f.srv.SSHURL("top.git"), map[string][]byte{git.KeyIdentity: f.identity, git.KeyKnownHosts: f.srv.KnownHosts()})
	g.Expect(err).NotTo(HaveOccurred())
	all := []string{".gitmodules", "deploy/lib/lib.txt", "top.git.txt", "vendor/mid/.gitmodules", "vendor/mid/lib/lib.txt", "vendor/mid/mid.git.txt"}
	tests := []struct {
		name string
		url  string
		auth *git.AuthOptions
		opts git.CloneOptions
		want []string
	}{
		{name: "off by default", url: f.srv.HTTPURL("top.git"), auth: basic(f.srv.HTTPURL("top.git")), want: []string{".gitmodules", "top.git.txt"}},
		{name: "http, same credentials, recursive", url: f.srv.HTTPURL("top.git"), auth: basic(f.srv.HTTPURL("top.git")), opts: git.CloneOptions{RecurseSubmodules: true}, want: all},
		{name: "https with CA, recursive", url: f.srv.HTTPSURL("top.git"), auth: httpsAuth, opts: git.CloneOptions{RecurseSubmodules: true}, want: all},
		{name: "ssh, recursive, full history", url: f.srv.SSHURL("top.git"), auth: sshAuth, opts: git.CloneOptions{RecurseSubmodules: true, FullHistory: true}, want: all},
		{name: "depth 1", url: f.srv.HTTPURL("top.git"), auth: basic(f.srv.HTTPURL("top.git")), opts: git.CloneOptions{RecurseSubmodules: true, SubmoduleDepth: 1},
			want: []string{".gitmodules", "deploy/lib/lib.txt", "top.git.txt", "vendor/mid/.gitmodules", "vendor/mid/mid.git.txt"}},
		{name: "sparse", url: f.srv.HTTPURL("top.git"), auth: basic(f.srv.HTTPURL("top.git")), opts: git.CloneOptions{RecurseSubmodules: true, SparseDirectories: []string{"vendor"}},
			want: []string{"vendor/mid/.gitmodules", "vendor/mid/lib/lib.txt", "vendor/mid/mid.git.txt"}},
		{name: "by commit", url: f.srv.HTTPURL("top.git"), auth: basic(f.srv.HTTPURL("top.git")), opts: git.CloneOptions{RecurseSubmodules: true, Reference: git.CheckoutReference{Commit: top}}, want: all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, tt.auth)
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(t.Context(), tt.url, tt.opts)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(commit.Hash.Hex).To(Equal(top))
			g.Expect(files(t, dir)).To(Equal(tt.want))
			if len(tt.want) == len(all) {
				// The git command line agrees on the submodule commits.
				// #nosec G204 -- fixed git command on a test clone.
				out, err := exec.CommandContext(t.Context(), "git", "-C", dir, "submodule", "status").CombinedOutput()
				g.Expect(err).NotTo(HaveOccurred(), string(out))
				g.Expect(string(out)).To(ContainSubstring(" " + mid + " vendor/mid"))
				g.Expect(string(out)).To(ContainSubstring(" " + lib + " deploy/lib"))
			}
		})
	}
}

func TestCloneSubmodulesCredentialsStayOnHost(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("alice", "s3cret-pass"))
	ctx := t.Context()
	g := NewWithT(t)
	// Another host (another port) that would accept the same credentials.
	other, err := gitserver.New(ctx, gitserver.WithBasicAuth("alice", "s3cret-pass"), gitserver.WithRequestHook(func(r gitserver.Request) {
		if r.User != "" {
			t.Errorf("credentials sent to another host: %+v", r)
		}
	}))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = other.Close() })
	g.Expect(other.StartHTTP(ctx)).To(Succeed())
	ext, err := other.CreateRepo(ctx, "ext.git", gitserver.RepoOptions{Files: map[string]string{"ext.txt": "ext\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	lib, err := f.srv.CreateRepo(ctx, "lib.git", gitserver.RepoOptions{Files: map[string]string{"lib.txt": "lib\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	createSuperproject(t, f.srv, "cross.git", map[string]string{"ext": other.HTTPURL("ext.git")}, map[string]string{"ext": ext})
	createSuperproject(t, f.srv, "local.git", map[string]string{"lib": "file://" + filepath.Join(f.srv.Root(), "lib.git")}, map[string]string{"lib": lib})
	createSuperproject(t, f.srv, "sshsub.git", map[string]string{"lib": "ssh://git@localhost:1/lib.git"}, map[string]string{"lib": lib})

	tests := []struct {
		repo string
		want error
	}{
		{repo: "cross.git", want: git.ErrAuthenticationFailed},
		{repo: "local.git", want: git.ErrUnsupportedScheme},
		{repo: "sshsub.git", want: git.ErrInvalidAuth},
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			g := NewWithT(t)
			url := f.srv.HTTPURL(tt.repo)
			auth, err := git.NewAuthOptions(url, map[string][]byte{git.KeyUsername: []byte("alice"), git.KeyPassword: []byte("s3cret-pass")})
			g.Expect(err).NotTo(HaveOccurred())
			auth.AllowInsecureHTTP = true
			dir := target(t)
			c, err := gogit.NewClient(dir, auth)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(t.Context(), url, git.CloneOptions{RecurseSubmodules: true})
			g.Expect(err).To(MatchError(tt.want))
			g.Expect(err).To(MatchError(ContainSubstring("submodule")))
			g.Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}
