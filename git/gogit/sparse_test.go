package gogit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// files lists the regular files under dir, slash-separated, without .git.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return out
}

func TestCloneSparse(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	g := NewWithT(t)
	const repo = "sparse.git"
	head, err := f.srv.CreateRepo(ctx, repo, gitserver.RepoOptions{Files: map[string]string{
		"README.md":               "root\n",
		"app.yaml":                "app\n",
		"deploy/prod/a.yaml":      "a\n",
		"deploy/prod/sub/b.yaml":  "b\n",
		"deploy/production/c.yml": "c\n",
		"deploy/staging/d.yaml":   "d\n",
		"infra/e.yaml":            "e\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.srv.CreateTag(ctx, repo, gitserver.TagOptions{Name: "v1.0.0", Message: "one"})
	g.Expect(err).NotTo(HaveOccurred())
	// #nosec G204 -- fixed git command on a test repository.
	out, err := exec.CommandContext(ctx, "git", "--git-dir", filepath.Join(f.srv.Root(), repo), "update-ref", "refs/pull/7/head", head).CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), string(out))
	url := f.srv.HTTPURL(repo)
	fileURL := "file://" + filepath.Join(f.srv.Root(), repo)

	tests := []struct {
		name string
		url  string
		opts git.CloneOptions
		want []string
	}{
		{name: "branch", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Branch: "main"}, SparseDirectories: []string{"deploy/prod"}},
			want: []string{"deploy/prod/a.yaml", "deploy/prod/sub/b.yaml"}},
		{name: "default branch, two directories", url: url, opts: git.CloneOptions{SparseDirectories: []string{"deploy/prod/", "infra"}},
			want: []string{"deploy/prod/a.yaml", "deploy/prod/sub/b.yaml", "infra/e.yaml"}},
		{name: "annotated tag", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Tag: "v1.0.0"}, SparseDirectories: []string{"infra"}},
			want: []string{"infra/e.yaml"}},
		{name: "semver", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{SemVer: "1.x"}, SparseDirectories: []string{"deploy/staging"}},
			want: []string{"deploy/staging/d.yaml"}},
		{name: "commit", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Commit: head}, SparseDirectories: []string{"deploy/prod/sub"}},
			want: []string{"deploy/prod/sub/b.yaml"}},
		{name: "pull request ref", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Name: "refs/pull/7/head"}, SparseDirectories: []string{"infra"}},
			want: []string{"infra/e.yaml"}},
		{name: "commit, full history", url: fileURL, opts: git.CloneOptions{Reference: git.CheckoutReference{Commit: head}, SparseDirectories: []string{"infra"}},
			want: []string{"infra/e.yaml"}},
		{name: "missing directory", url: url, opts: git.CloneOptions{SparseDirectories: []string{"nope"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, nil, gogit.WithFileProtocol())
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(t.Context(), tt.url, tt.opts)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(commit.Hash.Hex).To(Equal(head))
			if tt.want == nil {
				g.Expect(files(t, dir)).To(BeEmpty())
			} else {
				g.Expect(files(t, dir)).To(Equal(tt.want))
			}
			// The git command line sees a clean sparse checkout: the other
			// paths are skip-worktree, not deleted.
			// #nosec G204 -- fixed git command on a test clone.
			status, err := exec.CommandContext(t.Context(), "git", "-C", dir, "status", "--porcelain").CombinedOutput()
			g.Expect(err).NotTo(HaveOccurred(), string(status))
			g.Expect(strings.TrimSpace(string(status))).To(BeEmpty())
		})
	}
}

func TestCloneSparseInvalid(t *testing.T) {
	for _, d := range []string{"", "/etc", "..", "../x", "a/../../x", ".", "a/.git/hooks", `a\b`} {
		t.Run(d, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, nil)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(t.Context(), "http://127.0.0.1:1/app.git", git.CloneOptions{SparseDirectories: []string{"ok", d}})
			g.Expect(err).To(MatchError(git.ErrInvalidOptions))
			g.Expect(err).To(MatchError(ContainSubstring("sparse directory")))
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}
