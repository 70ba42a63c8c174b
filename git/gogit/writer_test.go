package gogit_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/version"
)

func TestInitOpen(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())

	_, err = c.Open(ctx)
	g.Expect(err).To(MatchError(git.ErrNotRepository))
	g.Expect(c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot})).Error().To(MatchError(git.ErrNotRepository))
	g.Expect(c.Push(ctx, git.PushOptions{})).To(MatchError(git.ErrNotRepository))

	g.Expect(c.Init(ctx, "https://example.com/org/app.git", git.InitOptions{Branch: "trunk"})).To(Succeed())
	commit, err := c.Open(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit).To(BeNil())
	g.Expect(mustGit(t, dir, "symbolic-ref", "HEAD")).To(Equal("refs/heads/trunk"))
	g.Expect(mustGit(t, dir, "remote", "get-url", "origin")).To(Equal("https://example.com/org/app.git"))

	// Nothing to commit yet.
	_, err = c.Commit(ctx, git.CommitOptions{Message: "empty", Author: bot})
	g.Expect(err).To(MatchError(git.ErrEmptyCommit))

	// Init refuses a directory with files, a bad branch and refused URLs,
	// and leaves the directory alone.
	g.Expect(c.Init(ctx, "https://example.com/org/app.git", git.InitOptions{})).To(MatchError(git.ErrTargetNotEmpty))
	other := target(t)
	c2, err := gogit.NewClient(other, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c2.Init(ctx, "https://example.com/org/app.git", git.InitOptions{Branch: "bad..name"})).To(MatchError(git.ErrInvalidOptions))
	g.Expect(c2.Init(ctx, "ext::sh -c evil", git.InitOptions{})).To(MatchError(git.ErrUnsupportedScheme))
	g.Expect(other).NotTo(BeAnExistingFile())
}

func TestCommitStagesWhatChanged(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, f.srv.HTTPURL(f.repo), git.CloneOptions{})
	g.Expect(err).NotTo(HaveOccurred())

	// Given files: only they are staged, other worktree changes stay out.
	writeFile(t, dir, "README.md", "local edit\n")
	commit, err := c.Commit(ctx, git.CommitOptions{
		Message: "add config",
		Author:  bot,
		Files:   map[string][]byte{"deploy/app.yaml": []byte("kind: App\n"), "deploy/unchanged.txt": nil},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Reference).To(Equal("refs/heads/main"))
	g.Expect(commit.Parents).To(ConsistOf(git.Hash{Algorithm: version.SHA1, Hex: f.c2}))
	g.Expect(commit.Author.Name).To(Equal(bot.Name))
	g.Expect(commit.Committer.Email).To(Equal(bot.Email))
	g.Expect(changedFiles(t, dir, "HEAD")).To(Equal([]string{"A deploy/app.yaml", "A deploy/unchanged.txt"}))
	g.Expect(mustGit(t, dir, "status", "--porcelain")).To(Equal("M README.md"))

	// The same content again is no change.
	_, err = c.Commit(ctx, git.CommitOptions{Message: "again", Author: bot, Files: map[string][]byte{"deploy/app.yaml": []byte("kind: App\n")}})
	g.Expect(err).To(MatchError(git.ErrEmptyCommit))
	g.Expect(mustGit(t, dir, "rev-parse", "HEAD")).To(Equal(commit.Hash.Hex))

	// Deletions, then files; a committer other than the author.
	committer := git.Signature{Name: "Reviewer", Email: "review@sluice.invalid"}
	commit, err = c.Commit(ctx, git.CommitOptions{
		Message:   "replace deploy",
		Author:    bot,
		Committer: &committer,
		Delete:    []string{"deploy", "missing.txt"},
		Files:     map[string][]byte{"deploy/v2.yaml": []byte("kind: App2\n")},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Committer.Name).To(Equal("Reviewer"))
	g.Expect(changedFiles(t, dir, "HEAD")).To(Equal([]string{"D deploy/app.yaml", "D deploy/unchanged.txt", "A deploy/v2.yaml"}))
	g.Expect(filepath.Join(dir, "deploy", "app.yaml")).NotTo(BeAnExistingFile())

	// The worktree: new, modified and deleted files, .gitignore honoured.
	writeFile(t, dir, ".gitignore", "*.log\n")
	writeFile(t, dir, "debug.log", "noise\n")
	writeFile(t, dir, "new/file.txt", "new\n")
	g.Expect(os.Remove(filepath.Join(dir, "deploy", "v2.yaml"))).To(Succeed())
	commit, err = c.Commit(ctx, git.CommitOptions{Message: "worktree", Author: bot})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changedFiles(t, dir, "HEAD")).To(Equal([]string{"A .gitignore", "M README.md", "D deploy/v2.yaml", "A new/file.txt"}))
	g.Expect(mustGit(t, dir, "status", "--porcelain", "--ignored")).To(Equal("!! debug.log"))
	_, err = c.Commit(ctx, git.CommitOptions{Message: "nothing", Author: bot})
	g.Expect(err).To(MatchError(git.ErrEmptyCommit))

	// The git CLI agrees with the history.
	g.Expect(mustGit(t, dir, "rev-list", "--count", "HEAD", "--not", f.c2)).To(Equal("3"))
	g.Expect(mustGit(t, dir, "fsck", "--no-dangling")).To(BeEmpty())
	open, err := c.Open(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(open.Hash).To(Equal(commit.Hash))
	g.Expect(open.Reference).To(Equal("refs/heads/main"))
}

func TestCommitInvalidOptions(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, "https://example.com/app.git", git.InitOptions{})).To(Succeed())
	file := map[string][]byte{"a.txt": []byte("a")}
	for name, opts := range map[string]git.CommitOptions{
		"no message":       {Author: bot, Files: file},
		"no author":        {Message: "m", Files: file},
		"no author email":  {Message: "m", Author: git.Signature{Name: "n"}, Files: file},
		"bad committer":    {Message: "m", Author: bot, Committer: &git.Signature{}, Files: file},
		"escaping file":    {Message: "m", Author: bot, Files: map[string][]byte{"../evil": nil}},
		"absolute file":    {Message: "m", Author: bot, Files: map[string][]byte{"/etc/evil": nil}},
		"git dir file":     {Message: "m", Author: bot, Files: map[string][]byte{"sub/.GIT/config": nil}},
		"root deletion":    {Message: "m", Author: bot, Delete: []string{"."}},
		"escaping delete":  {Message: "m", Author: bot, Delete: []string{"a/../../x"}},
		"empty file name":  {Message: "m", Author: bot, Files: map[string][]byte{"": nil}},
		"backslash a path": {Message: "m", Author: bot, Files: map[string][]byte{`..\evil`: nil}},
	} {
		_, err := c.Commit(ctx, opts)
		g.Expect(err).To(MatchError(git.ErrInvalidOptions), name)
	}
	_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: file, SigningKey: &git.SigningKey{PrivateKey: []byte("secret-garbage")}})
	g.Expect(err).To(MatchError(git.ErrInvalidKey))
	g.Expect(err.Error()).NotTo(ContainSubstring("secret"))
	entries, err := os.ReadDir(dir)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(1)) // .git only: nothing was written
}

func TestSwitchBranch(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	dir := target(t)
	c, err := gogit.NewClient(dir, f.sshAuth(t))
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, f.srv.SSHURL(f.repo), git.CloneOptions{})
	g.Expect(err).NotTo(HaveOccurred())

	// A branch only the remote has is fetched (shallow, like the clone).
	commit, err := c.SwitchBranch(ctx, "dev", git.SwitchBranchOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c3))
	g.Expect(commit.Reference).To(Equal("refs/heads/dev"))
	g.Expect(readFile(t, dir, "README.md")).To(Equal("dev\n"))
	g.Expect(mustGit(t, dir, "symbolic-ref", "HEAD")).To(Equal("refs/heads/dev"))
	g.Expect(mustGit(t, dir, "config", "branch.dev.remote")).To(Equal("origin"))

	// A new branch starts at HEAD and keeps worktree changes.
	writeFile(t, dir, "README.md", "work in progress\n")
	commit, err = c.SwitchBranch(ctx, "feature", git.SwitchBranchOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c3))
	g.Expect(readFile(t, dir, "README.md")).To(Equal("work in progress\n"))

	// Switching to another commit with uncommitted changes is refused.
	_, err = c.SwitchBranch(ctx, "main", git.SwitchBranchOptions{})
	g.Expect(err).To(MatchError(git.ErrUncommittedChanges))
	g.Expect(err.Error()).To(ContainSubstring("README.md"))
	g.Expect(mustGit(t, dir, "symbolic-ref", "HEAD")).To(Equal("refs/heads/feature"))
	_, err = f.srv.CreateBranch(ctx, f.repo, gitserver.BranchOptions{Name: "remote-only", Target: f.c1})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.SwitchBranch(ctx, "remote-only", git.SwitchBranchOptions{})
	g.Expect(err).To(MatchError(git.ErrUncommittedChanges))
	_, gitErr := runGit(t, dir, nil, "rev-parse", "--verify", "--quiet", "refs/heads/remote-only")
	g.Expect(gitErr).To(HaveOccurred(), "no local branch is left behind")
	g.Expect(readFile(t, dir, "README.md")).To(Equal("work in progress\n"))

	feature, err := c.Commit(ctx, git.CommitOptions{Message: "feature", Author: bot})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(feature.Reference).To(Equal("refs/heads/feature"))
	g.Expect(c.Push(ctx, git.PushOptions{})).To(Succeed())
	g.Expect(f.serverGit(t, f.repo, "rev-parse", "refs/heads/feature")).To(Equal(feature.Hash.Hex))

	// A local branch is checked out as it is.
	commit, err = c.SwitchBranch(ctx, "main", git.SwitchBranchOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c2))
	g.Expect(readFile(t, dir, "README.md")).To(Equal("two\n"))

	// NoFetch creates from HEAD even when the remote has the branch.
	commit, err = c.SwitchBranch(ctx, "v-other", git.SwitchBranchOptions{NoFetch: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c2))

	_, err = c.SwitchBranch(ctx, "bad..name", git.SwitchBranchOptions{})
	g.Expect(err).To(MatchError(git.ErrInvalidOptions))
}

func TestSwitchBranchInNewRepository(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, f.srv.GitURL(f.repo), git.InitOptions{})).To(Succeed())

	// The remote's branch is fetched and checked out.
	commit, err := c.SwitchBranch(ctx, "dev", git.SwitchBranchOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c3))
	g.Expect(readFile(t, dir, "README.md")).To(Equal("dev\n"))

	// In a repository without commits HEAD just names the new branch.
	empty := target(t)
	c, err = gogit.NewClient(empty, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, f.srv.GitURL(f.repo), git.InitOptions{})).To(Succeed())
	commit, err = c.SwitchBranch(ctx, "brand-new", git.SwitchBranchOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit).To(BeNil())
	g.Expect(mustGit(t, empty, "symbolic-ref", "HEAD")).To(Equal("refs/heads/brand-new"))

	// A fetch failure is a typed error.
	c, err = gogit.NewClient(target(t), nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, f.srv.GitURL("missing.git"), git.InitOptions{})).To(Succeed())
	_, err = c.SwitchBranch(ctx, "dev", git.SwitchBranchOptions{})
	var opErr *git.OpError
	g.Expect(errorsAs(err, &opErr)).To(BeTrue(), "%v", err)
	g.Expect(opErr.Op).To(Equal("fetch"))
}

func TestCommitRefusesSymbolicLinks(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, "https://example.com/app.git", git.InitOptions{})).To(Succeed())
	outside := t.TempDir()
	writeFile(t, outside, "victim", "keep\n")
	g.Expect(os.Symlink(outside, filepath.Join(dir, "evil"))).To(Succeed())
	g.Expect(os.Symlink(filepath.Join(outside, "victim"), filepath.Join(dir, "file-link"))).To(Succeed())
	for name, opts := range map[string]git.CommitOptions{
		"write through a link":  {Message: "m", Author: bot, Files: map[string][]byte{"evil/victim": []byte("owned\n")}},
		"delete through a link": {Message: "m", Author: bot, Delete: []string{"evil/victim"}},
		"overwrite a link":      {Message: "m", Author: bot, Files: map[string][]byte{"file-link": []byte("owned\n")}},
	} {
		_, err := c.Commit(ctx, opts)
		g.Expect(err).To(MatchError(git.ErrInvalidOptions), name)
	}
	g.Expect(readFile(t, outside, "victim")).To(Equal("keep\n"))
}

func TestCommitInSparseCheckout(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	_, err := f.srv.CreateRepo(ctx, "sparse.git", gitserver.RepoOptions{Files: map[string]string{
		"deploy/app.yaml": "v1\n", "other/keep.txt": "keep\n", "root.txt": "root\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, f.srv.HTTPURL("sparse.git"), git.CloneOptions{SparseDirectories: []string{"deploy"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(filepath.Join(dir, "other")).NotTo(BeAnExistingFile())

	// Files outside the sparse directories are not deleted by a worktree
	// commit.
	writeFile(t, dir, "deploy/app.yaml", "v2\n")
	_, err = c.Commit(ctx, git.CommitOptions{Message: "bump", Author: bot})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changedFiles(t, dir, "HEAD")).To(Equal([]string{"M deploy/app.yaml"}))
	g.Expect(mustGit(t, dir, "ls-tree", "-r", "--name-only", "HEAD")).To(Equal("deploy/app.yaml\nother/keep.txt\nroot.txt"))
}
