package gitserver

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// inRepo runs the git CLI on a bare repository of srv.
func inRepo(t *testing.T, srv *Server, repo string, args ...string) string {
	t.Helper()
	return mustGit(t, t.TempDir(), "", nil, append([]string{"--git-dir=" + filepath.Join(srv.Root(), repo)}, args...)...)
}

func TestCreateRepo(t *testing.T) {
	t.Parallel()
	t.Run("empty", func(t *testing.T) {
		g := NewWithT(t)
		srv := newServer(t)
		hash, err := srv.CreateRepo(t.Context(), "empty.git", RepoOptions{Branch: "trunk"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(hash).To(BeEmpty())
		g.Expect(inRepo(t, srv, "empty.git", "symbolic-ref", "HEAD")).To(Equal("refs/heads/trunk"))
		g.Expect(inRepo(t, srv, "empty.git", "rev-parse", "--is-bare-repository")).To(Equal("true"))
	})

	t.Run("from directory", func(t *testing.T) {
		g := NewWithT(t)
		srv := newServer(t)
		src := t.TempDir()
		g.Expect(os.MkdirAll(filepath.Join(src, "deploy", "base"), 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(src, "deploy", "base", "app.yaml"), []byte("kind: App\n"), 0o644)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh\n"), 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(src, ".gitignore"), []byte("*.tmp\n"), 0o644)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(src, "junk.tmp"), []byte("x"), 0o644)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(src, "README.md"), []byte("from dir\n"), 0o644)).To(Succeed())

		hash, err := srv.CreateRepo(t.Context(), "team/app.git", RepoOptions{
			Branch:  "release",
			FromDir: src,
			Files:   map[string]string{"README.md": "from files\n", "extra/x.txt": "x\n"},
			Message: "import",
		})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(hash).To(MatchRegexp("^[0-9a-f]{40}$"))
		g.Expect(inRepo(t, srv, "team/app.git", "rev-parse", "refs/heads/release")).To(Equal(hash))
		g.Expect(inRepo(t, srv, "team/app.git", "symbolic-ref", "HEAD")).To(Equal("refs/heads/release"))
		g.Expect(strings.Split(inRepo(t, srv, "team/app.git", "ls-tree", "-r", "--format=%(objectmode) %(path)", "HEAD"), "\n")).To(Equal([]string{
			"100644 .gitignore",
			"100644 README.md",
			"100644 deploy/base/app.yaml",
			"100644 extra/x.txt",
			"100755 run.sh",
		}))
		g.Expect(inRepo(t, srv, "team/app.git", "show", "HEAD:README.md")).To(Equal("from files"))
		g.Expect(inRepo(t, srv, "team/app.git", "log", "-1", "--format=%an <%ae> %cI %s")).
			To(Equal("Sluice Test <test@sluice.invalid> 2024-01-01T00:00:00+00:00 import"))
	})

	t.Run("errors", func(t *testing.T) {
		g := NewWithT(t)
		srv := newServer(t)
		_, err := srv.CreateRepo(t.Context(), "app.git", RepoOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		_, err = srv.CreateRepo(t.Context(), "app.git", RepoOptions{})
		g.Expect(err).To(MatchError(fs.ErrExist))
		for _, name := range []string{"../escape.git", "a/../../escape.git", "", ".", "a/..", "/"} {
			_, err = srv.CreateRepo(t.Context(), name, RepoOptions{})
			g.Expect(err).To(MatchError(ErrOutsideRoot), name)
		}
		_, err = srv.CreateRepo(t.Context(), "files.git", RepoOptions{Files: map[string]string{"../x": "x"}})
		g.Expect(err).To(MatchError(ErrOutsideRoot))
		_, err = srv.CreateRepo(t.Context(), "from.git", RepoOptions{FromDir: filepath.Join(t.TempDir(), "missing")})
		var gitErr *GitError
		g.Expect(errors.As(err, &gitErr)).To(BeTrue(), "%v", err)
	})
}

func TestCommit(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	srv := newServer(t)
	first, err := srv.CreateRepo(t.Context(), "app.git", RepoOptions{Files: map[string]string{
		"a.txt": "a\n", "dir/b.txt": "b\n", "dir/c.txt": "c\n", "keep.txt": "keep\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())

	second, err := srv.Commit(t.Context(), "app.git", CommitOptions{
		Files:   map[string]string{"a.txt": "changed\n", "new/d.txt": "d\n"},
		Delete:  []string{"dir", "not-there.txt"},
		Message: "change things",
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(inRepo(t, srv, "app.git", "rev-parse", "main^")).To(Equal(first))
	g.Expect(inRepo(t, srv, "app.git", "ls-tree", "-r", "--name-only", "main")).To(Equal("a.txt\nkeep.txt\nnew/d.txt"))
	g.Expect(inRepo(t, srv, "app.git", "show", "main:a.txt")).To(Equal("changed"))
	g.Expect(inRepo(t, srv, "app.git", "log", "-1", "--format=%cI %s", second)).To(Equal("2024-01-01T00:01:00+00:00 change things"))

	empty, err := srv.Commit(t.Context(), "app.git", CommitOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(inRepo(t, srv, "app.git", "rev-parse", empty+"^{tree}")).To(Equal(inRepo(t, srv, "app.git", "rev-parse", second+"^{tree}")))

	date := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	orphan, err := srv.Commit(t.Context(), "app.git", CommitOptions{Branch: "orphan", Files: map[string]string{"o": "o"}, Date: date})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(inRepo(t, srv, "app.git", "rev-list", "--parents", "orphan")).To(Equal(orphan))
	g.Expect(inRepo(t, srv, "app.git", "log", "-1", "--format=%aI", orphan)).To(Equal("2030-05-06T07:08:09+00:00"))
	g.Expect(inRepo(t, srv, "app.git", "symbolic-ref", "HEAD")).To(Equal("refs/heads/main"))

	resolved, err := srv.Resolve(t.Context(), "app.git", "HEAD")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(resolved).To(Equal(empty))

	_, err = srv.Commit(t.Context(), "app.git", CommitOptions{Files: map[string]string{"/etc/passwd": "x"}})
	g.Expect(err).To(MatchError(ErrOutsideRoot))
	_, err = srv.Commit(t.Context(), "app.git", CommitOptions{Delete: []string{"../x"}})
	g.Expect(err).To(MatchError(ErrOutsideRoot))
	_, err = srv.Commit(t.Context(), "missing.git", CommitOptions{})
	var gitErr *GitError
	g.Expect(errors.As(err, &gitErr)).To(BeTrue(), "%v", err)
	g.Expect(gitErr.Stderr).NotTo(BeEmpty())
	_, err = srv.Resolve(t.Context(), "app.git", "no-such-branch")
	g.Expect(errors.As(err, &gitErr)).To(BeTrue(), "%v", err)
}

// TestFixturesReproducible builds the same history on two servers.
func TestFixturesReproducible(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	build := func() []string {
		srv := newServer(t)
		ctx := t.Context()
		a, err := srv.CreateRepo(ctx, "r.git", RepoOptions{Files: map[string]string{"f": "1"}})
		g.Expect(err).NotTo(HaveOccurred())
		b, err := srv.Commit(ctx, "r.git", CommitOptions{Files: map[string]string{"f": "2"}})
		g.Expect(err).NotTo(HaveOccurred())
		c, err := srv.CreateTag(ctx, "r.git", TagOptions{Name: "v1", Message: "v1"})
		g.Expect(err).NotTo(HaveOccurred())
		return []string{a, b, c}
	}
	first := build()
	g.Expect(build()).To(Equal(first))
	// Pinned: a change of the fixture identity or dates shows up here.
	g.Expect(first).To(Equal([]string{
		"12f0dfe64ab496b7df52a17d95c878bcda39ede2",
		"c9fdb562005cd83ac0352a7accf0725daad8da29",
		"237b86c232e251dc14781577e4dc9eacaa026190",
	}))
}

func TestBranchesAndTags(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	srv := newServer(t)
	ctx := t.Context()
	first, err := srv.CreateRepo(ctx, "app.git", RepoOptions{Files: map[string]string{"f": "1"}})
	g.Expect(err).NotTo(HaveOccurred())
	second, err := srv.Commit(ctx, "app.git", CommitOptions{Files: map[string]string{"f": "2"}})
	g.Expect(err).NotTo(HaveOccurred())

	hash, err := srv.CreateBranch(ctx, "app.git", BranchOptions{Name: "feature"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(hash).To(Equal(second))
	hash, err = srv.CreateBranch(ctx, "app.git", BranchOptions{Name: "old", Target: first})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(hash).To(Equal(first))
	_, err = srv.CreateBranch(ctx, "app.git", BranchOptions{Name: "old"})
	var gitErr *GitError
	g.Expect(errors.As(err, &gitErr)).To(BeTrue(), "%v", err)
	_, err = srv.CreateBranch(ctx, "app.git", BranchOptions{})
	g.Expect(err).To(MatchError(ErrInvalidOption))

	light, err := srv.CreateTag(ctx, "app.git", TagOptions{Name: "v0.1.0", Target: "old"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(light).To(Equal(first))
	g.Expect(inRepo(t, srv, "app.git", "cat-file", "-t", "refs/tags/v0.1.0")).To(Equal("commit"))

	annotated, err := srv.CreateTag(ctx, "app.git", TagOptions{Name: "v0.2.0", Message: "release v0.2.0"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(annotated).NotTo(Equal(second))
	g.Expect(inRepo(t, srv, "app.git", "cat-file", "-t", annotated)).To(Equal("tag"))
	g.Expect(inRepo(t, srv, "app.git", "rev-parse", "v0.2.0^{commit}")).To(Equal(second))
	g.Expect(inRepo(t, srv, "app.git", "for-each-ref", "--format=%(taggername) %(taggeremail) %(taggerdate:iso-strict) %(contents:subject)", "refs/tags/v0.2.0")).
		To(Equal("Sluice Test <test@sluice.invalid> 2024-01-01T00:00:00+00:00 release v0.2.0"))

	_, err = srv.CreateTag(ctx, "app.git", TagOptions{Name: "v0.2.0"})
	g.Expect(errors.As(err, &gitErr)).To(BeTrue(), "%v", err)
	_, err = srv.CreateTag(ctx, "app.git", TagOptions{})
	g.Expect(err).To(MatchError(ErrInvalidOption))
	_, err = srv.CreateTag(ctx, "app.git", TagOptions{Name: "v9", Signer: Signer{Key: "k"}})
	g.Expect(err).To(MatchError(ErrInvalidOption))
	_, err = srv.CreateTag(ctx, "app.git", TagOptions{Name: "v9", Message: "m", Signer: Signer{Format: 7, Key: "k"}})
	g.Expect(err).To(MatchError(ErrInvalidOption))
}

func TestSSHSigned(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	srv := newServer(t)
	ctx := t.Context()
	key := newTestKey(t)
	signer := Signer{Key: key.path}
	commit, err := srv.CreateRepo(ctx, "app.git", RepoOptions{Files: map[string]string{"f": "1"}, Signer: signer})
	g.Expect(err).NotTo(HaveOccurred())
	second, err := srv.Commit(ctx, "app.git", CommitOptions{Files: map[string]string{"f": "2"}, Signer: signer})
	g.Expect(err).NotTo(HaveOccurred())
	tag, err := srv.CreateTag(ctx, "app.git", TagOptions{Name: "v1", Message: "signed", Signer: signer})
	g.Expect(err).NotTo(HaveOccurred())
	unsigned, err := srv.Commit(ctx, "app.git", CommitOptions{Branch: "other"})
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(inRepo(t, srv, "app.git", "cat-file", "commit", commit)).To(ContainSubstring("-----BEGIN SSH SIGNATURE-----"))

	allowed := filepath.Join(t.TempDir(), "allowed_signers")
	verify := func(args ...string) (string, error) {
		return runGit(ctx, t.TempDir(), "", nil, append([]string{
			"--git-dir=" + filepath.Join(srv.Root(), "app.git"), "-c", "gpg.ssh.allowedSignersFile=" + allowed,
		}, args...)...)
	}
	g.Expect(os.WriteFile(allowed, []byte(IdentityEmail+` namespaces="git" `+key.authorizedLine()+"\n"), 0o600)).To(Succeed())
	for _, args := range [][]string{{"verify-commit", commit}, {"verify-commit", second}, {"verify-tag", tag}} {
		out, err := verify(args...)
		g.Expect(err).NotTo(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring(`Good "git" signature for ` + IdentityEmail))
	}
	out, err := verify("verify-commit", unsigned)
	g.Expect(err).To(HaveOccurred(), out)

	// Another trusted key does not vouch for these signatures.
	g.Expect(os.WriteFile(allowed, []byte(IdentityEmail+" "+newTestKey(t).authorizedLine()+"\n"), 0o600)).To(Succeed())
	out, err = verify("verify-commit", commit)
	g.Expect(err).To(HaveOccurred(), out)

	// Ed25519 signatures are deterministic: the same history signs the same.
	other := newServer(t)
	again, err := other.CreateRepo(ctx, "app.git", RepoOptions{Files: map[string]string{"f": "1"}, Signer: signer})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again).To(Equal(commit))

	_, err = srv.Commit(ctx, "app.git", CommitOptions{Signer: Signer{Key: filepath.Join(t.TempDir(), "missing")}})
	var gitErr *GitError
	g.Expect(errors.As(err, &gitErr)).To(BeTrue(), "%v", err)
}

func TestOpenPGPSigned(t *testing.T) {
	t.Parallel()
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed")
	}
	g := NewWithT(t)
	ctx := t.Context()
	home, err := os.MkdirTemp("", "gnupg-") // short: gpg-agent's socket path is limited
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		_ = os.RemoveAll(home)
	})
	g.Expect(os.Chmod(home, 0o700)).To(Succeed())
	gen := exec.CommandContext(ctx, gpg, "--homedir", home, "--batch", "--passphrase", "",
		"--quick-gen-key", IdentityName+" <"+IdentityEmail+">", "ed25519", "sign", "never")
	out, err := gen.CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), string(out))

	srv := newServer(t)
	commit, err := srv.CreateRepo(ctx, "app.git", RepoOptions{
		Files:  map[string]string{"f": "1"},
		Signer: Signer{Format: SignOpenPGP, Key: IdentityEmail, GNUPGHome: home},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(inRepo(t, srv, "app.git", "cat-file", "commit", commit)).To(ContainSubstring("-----BEGIN PGP SIGNATURE-----"))
	verified, err := runGit(ctx, t.TempDir(), "", []string{"GNUPGHOME=" + home},
		"--git-dir="+filepath.Join(srv.Root(), "app.git"), "verify-commit", commit)
	g.Expect(err).NotTo(HaveOccurred(), verified)
	g.Expect(verified).To(ContainSubstring("Good signature"))
}
