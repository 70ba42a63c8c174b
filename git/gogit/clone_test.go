package gogit_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/version"
)

func TestCloneReferences(t *testing.T) {
	f := newFixture(t)
	url := f.srv.HTTPURL(f.repo)
	tests := []struct {
		name     string
		ref      git.CheckoutReference
		commit   string
		wantRef  string
		revision string
		readme   string
	}{
		{name: "default branch", commit: f.c2, wantRef: "refs/heads/main", revision: "main@sha1:" + f.c2, readme: "two\n"},
		{name: "branch", ref: git.CheckoutReference{Branch: "dev"}, commit: f.c3, wantRef: "refs/heads/dev", revision: "dev@sha1:" + f.c3, readme: "dev\n"},
		{name: "lightweight tag", ref: git.CheckoutReference{Tag: "v1.0.0"}, commit: f.c1, wantRef: "refs/tags/v1.0.0", revision: "v1.0.0@sha1:" + f.c1, readme: "one\n"},
		{name: "annotated tag", ref: git.CheckoutReference{Tag: "v1.1.0"}, commit: f.c2, wantRef: "refs/tags/v1.1.0", revision: "v1.1.0@sha1:" + f.c2, readme: "two\n"},
		{name: "semver range", ref: git.CheckoutReference{SemVer: ">=1.0.0 <2.0.0"}, commit: f.c2, wantRef: "refs/tags/v1.1.0", revision: "v1.1.0@sha1:" + f.c2, readme: "two\n"},
		{name: "semver highest", ref: git.CheckoutReference{SemVer: "*"}, commit: f.c3, wantRef: "refs/tags/v2.0.0", revision: "v2.0.0@sha1:" + f.c3, readme: "dev\n"},
		{name: "commit", ref: git.CheckoutReference{Commit: f.c1}, commit: f.c1, revision: "sha1:" + f.c1, readme: "one\n"},
		{name: "commit on branch", ref: git.CheckoutReference{Branch: "main", Commit: f.c1}, commit: f.c1, wantRef: "refs/heads/main", revision: "main@sha1:" + f.c1, readme: "one\n"},
		{name: "pull request ref", ref: git.CheckoutReference{Name: "refs/pull/1/head"}, commit: f.c3, wantRef: "refs/pull/1/head", revision: "refs/pull/1/head@sha1:" + f.c3, readme: "dev\n"},
		{name: "full branch ref", ref: git.CheckoutReference{Name: "refs/heads/dev", Branch: "main"}, commit: f.c3, wantRef: "refs/heads/dev", revision: "dev@sha1:" + f.c3, readme: "dev\n"},
		{name: "commit beats name", ref: git.CheckoutReference{Name: "refs/heads/dev", Commit: f.c1}, commit: f.c1, revision: "sha1:" + f.c1, readme: "one\n"},
		{name: "semver beats tag and branch", ref: git.CheckoutReference{SemVer: "1.0.x", Tag: "v1.1.0", Branch: "dev"}, commit: f.c1, wantRef: "refs/tags/v1.0.0", revision: "v1.0.0@sha1:" + f.c1, readme: "one\n"},
		{name: "tag beats branch", ref: git.CheckoutReference{Tag: "v1.0.0", Branch: "dev"}, commit: f.c1, wantRef: "refs/tags/v1.0.0", revision: "v1.0.0@sha1:" + f.c1, readme: "one\n"},
		{name: "name beats tag", ref: git.CheckoutReference{Name: "refs/heads/main", Tag: "v1.0.0"}, commit: f.c2, wantRef: "refs/heads/main", revision: "main@sha1:" + f.c2, readme: "two\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, nil)
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(t.Context(), url, git.CloneOptions{Reference: tt.ref})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(commit.Hash).To(Equal(git.Hash{Algorithm: version.SHA1, Hex: tt.commit}))
			g.Expect(commit.Reference).To(Equal(tt.wantRef))
			g.Expect(commit.Revision().String()).To(Equal(tt.revision))
			g.Expect(commit.Author.Email).To(Equal("test@sluice.invalid"))
			g.Expect(readFile(t, dir, "README.md")).To(Equal(tt.readme))
		})
	}
}

func TestCloneShallowByDefault(t *testing.T) {
	f := newFixture(t)
	url := f.srv.HTTPURL(f.repo)
	g := NewWithT(t)

	shallow := target(t)
	c, err := gogit.NewClient(shallow, nil)
	g.Expect(err).NotTo(HaveOccurred())
	commit, err := c.Clone(t.Context(), url, git.CloneOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Parents).To(ConsistOf(git.Hash{Algorithm: version.SHA1, Hex: f.c1}))
	g.Expect(filepath.Join(shallow, ".git", "shallow")).To(BeARegularFile())

	full := target(t)
	c, err = gogit.NewClient(full, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), url, git.CloneOptions{FullHistory: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(filepath.Join(full, ".git", "shallow")).NotTo(BeAnExistingFile())
}

func TestCloneTransports(t *testing.T) {
	f := newFixture(t)
	httpsAuth, err := git.NewAuthOptions(f.srv.HTTPSURL(f.repo), map[string][]byte{git.KeyCACert: f.srv.CACertPEM()})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	tests := []struct {
		name string
		url  string
		auth *git.AuthOptions
	}{
		{name: "https with ca.crt", url: f.srv.HTTPSURL(f.repo), auth: httpsAuth},
		{name: "ssh with known_hosts", url: f.srv.SSHURL(f.repo), auth: f.sshAuth(t)},
		{name: "git daemon", url: f.srv.GitURL(f.repo)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			for _, ref := range []git.CheckoutReference{{Branch: "main"}, {SemVer: "~1.1"}, {Commit: f.c1}} {
				dir := target(t)
				c, err := gogit.NewClient(dir, tt.auth)
				g.Expect(err).NotTo(HaveOccurred())
				commit, err := c.Clone(t.Context(), tt.url, git.CloneOptions{Reference: ref})
				g.Expect(err).NotTo(HaveOccurred(), "%+v", ref)
				g.Expect(commit.Hash.Hex).To(BeElementOf(f.c1, f.c2))
				g.Expect(readFile(t, dir, "README.md")).NotTo(BeEmpty())
			}
		})
	}
}

func TestCloneHTTPSWithoutCAFails(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), f.srv.HTTPSURL(f.repo), git.CloneOptions{})
	var opErr *git.OpError
	g.Expect(err).To(BeAssignableToTypeOf(opErr))
	g.Expect(dir).NotTo(BeAnExistingFile())
}

func TestCloneFileProtocol(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	url := "file://" + filepath.Join(f.srv.Root(), f.repo)

	c, err := gogit.NewClient(target(t), nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), url, git.CloneOptions{})
	g.Expect(err).To(MatchError(git.ErrUnsupportedScheme))

	c, err = gogit.NewClient(target(t), nil, gogit.WithFileProtocol())
	g.Expect(err).NotTo(HaveOccurred())
	commit, err := c.Clone(t.Context(), url, git.CloneOptions{FullHistory: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c2))
}

func TestCloneRefusesNonEmptyTarget(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o600)).To(Succeed())
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), f.srv.HTTPURL(f.repo), git.CloneOptions{})
	g.Expect(err).To(MatchError(git.ErrTargetNotEmpty))
	g.Expect(readFile(t, dir, "keep")).To(Equal("x"))
}

func TestCloneFailuresLeaveTargetClean(t *testing.T) {
	f := newFixture(t)
	url := f.srv.HTTPURL(f.repo)
	tests := []struct {
		name string
		url  string
		opts git.CloneOptions
		want error
	}{
		{name: "missing branch", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Branch: "nope"}}, want: git.ErrReferenceNotFound},
		{name: "missing tag", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Tag: "v9"}}, want: git.ErrReferenceNotFound},
		{name: "no tag in range", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{SemVer: ">=5"}}, want: git.ErrReferenceNotFound},
		{name: "bad range", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{SemVer: "not a range"}}, want: git.ErrReferenceNotFound},
		{name: "missing commit", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Commit: "0123456789012345678901234567890123456789"}}, want: git.ErrReferenceNotFound},
		{name: "missing pull ref", url: url, opts: git.CloneOptions{Reference: git.CheckoutReference{Name: "refs/pull/9/head"}}, want: git.ErrReferenceNotFound},
		{name: "missing repository", url: f.srv.HTTPURL("nope.git"), want: git.ErrRepositoryNotFound},
		{name: "missing repository over git", url: f.srv.GitURL("nope.git"), want: git.ErrRepositoryNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			for _, existed := range []bool{false, true} {
				dir := target(t)
				if existed {
					g.Expect(os.Mkdir(dir, 0o750)).To(Succeed())
				}
				c, err := gogit.NewClient(dir, nil)
				g.Expect(err).NotTo(HaveOccurred())
				_, err = c.Clone(t.Context(), tt.url, tt.opts)
				g.Expect(err).To(MatchError(tt.want))
				var opErr *git.OpError
				g.Expect(err).To(BeAssignableToTypeOf(opErr))
				if existed {
					g.Expect(os.ReadDir(dir)).To(BeEmpty())
				} else {
					g.Expect(dir).NotTo(BeAnExistingFile())
				}
			}
		})
	}
}

func TestCloneCommitShallowOrFull(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	url := f.srv.HTTPURL(f.repo)

	// The server allows any SHA-1 in a want: the commit alone is fetched.
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	commit, err := c.Clone(t.Context(), url, git.CloneOptions{Reference: git.CheckoutReference{Commit: f.c2}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c2))
	g.Expect(filepath.Join(dir, ".git", "shallow")).To(BeARegularFile())

	// A server that refuses such wants (go-git's own file:// server) gets a
	// full clone instead.
	fileURL := "file://" + filepath.Join(f.srv.Root(), f.repo)
	dir = target(t)
	c, err = gogit.NewClient(dir, nil, gogit.WithFileProtocol())
	g.Expect(err).NotTo(HaveOccurred())
	commit, err = c.Clone(t.Context(), fileURL, git.CloneOptions{Reference: git.CheckoutReference{Commit: f.c2}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(f.c2))
	g.Expect(readFile(t, dir, "README.md")).To(Equal("two\n"))
	g.Expect(filepath.Join(dir, ".git", "shallow")).NotTo(BeAnExistingFile())

	// And a commit it does not have is not found either way.
	dir = target(t)
	c, err = gogit.NewClient(dir, nil, gogit.WithFileProtocol())
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), fileURL, git.CloneOptions{Reference: git.CheckoutReference{Commit: "0123456789012345678901234567890123456789"}})
	g.Expect(err).To(MatchError(git.ErrReferenceNotFound))
	g.Expect(dir).NotTo(BeAnExistingFile())
}
