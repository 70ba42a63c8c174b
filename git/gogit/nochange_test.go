package gogit_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/version"
)

func TestCloneNoChange(t *testing.T) {
	f := newFixture(t)
	url := f.srv.HTTPURL(f.repo)
	tests := []struct {
		name     string
		ref      git.CheckoutReference
		last     string
		wantRef  string
		requests int
	}{
		{name: "default branch", last: f.c2, wantRef: "refs/heads/main", requests: 1},
		{name: "branch, revision form", ref: git.CheckoutReference{Branch: "dev"}, last: "dev@sha1:" + f.c3, wantRef: "refs/heads/dev", requests: 1},
		{name: "annotated tag, legacy form", ref: git.CheckoutReference{Tag: "v1.1.0"}, last: "v1.1.0/" + f.c2, wantRef: "refs/tags/v1.1.0", requests: 1},
		{name: "semver", ref: git.CheckoutReference{SemVer: "1.x"}, last: f.c2, wantRef: "refs/tags/v1.1.0", requests: 1},
		{name: "pull request", ref: git.CheckoutReference{Name: "refs/pull/1/head"}, last: f.c3, wantRef: "refs/pull/1/head", requests: 1},
		{name: "commit", ref: git.CheckoutReference{Commit: f.c1}, last: f.c1, requests: 0},
		{name: "commit as algorithm:hex", ref: git.CheckoutReference{Commit: "sha1:" + f.c1}, last: "sha1:" + f.c1, requests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, nil)
			g.Expect(err).NotTo(HaveOccurred())
			f.takeRequests()
			commit, err := c.Clone(t.Context(), url, git.CloneOptions{Reference: tt.ref, LastObservedCommit: tt.last})
			g.Expect(err).To(MatchError(git.ErrNoChange))
			var noChange *git.NoChangeError
			g.Expect(errorsAs(err, &noChange)).To(BeTrue())
			g.Expect(noChange.Commit).To(Equal(commit))
			g.Expect(commit.Reference).To(Equal(tt.wantRef))
			g.Expect(commit.Hash.Hex).To(HaveLen(40))

			reqs := f.takeRequests()
			g.Expect(reqs).To(HaveLen(tt.requests))
			for _, r := range reqs {
				g.Expect(r.Method).To(Equal("GET"), "only the ref advertisement")
				g.Expect(r.Service).To(Equal(gitserver.ServiceUploadPack))
			}
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}

func TestCloneAfterChange(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	url := f.srv.HTTPURL(f.repo)
	c4, err := f.srv.Commit(t.Context(), f.repo, gitserver.CommitOptions{Files: map[string]string{"README.md": "four\n"}})
	g.Expect(err).NotTo(HaveOccurred())

	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	f.takeRequests()
	commit, err := c.Clone(t.Context(), url, git.CloneOptions{LastObservedCommit: "main@sha1:" + f.c2})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Hash.Hex).To(Equal(c4))
	g.Expect(readFile(t, dir, "README.md")).To(Equal("four\n"))
	posts := 0
	for _, r := range f.takeRequests() {
		if r.Method == "POST" {
			posts++
		}
	}
	g.Expect(posts).To(BeNumerically(">=", 1), "the pack was fetched")
}

func TestCloneInvalidLastObservedCommit(t *testing.T) {
	hex := strings.Repeat("ab", 20)
	tests := []struct {
		name, last string
		want       []error
	}{
		{name: "unknown algorithm", last: "main@md5:zz", want: []error{version.ErrInvalidRevision, version.ErrUnsupportedAlgorithm}},
		{name: "uppercase hex", last: "main@sha1:" + strings.ToUpper(hex), want: []error{version.ErrInvalidRevision}},
		{name: "uppercase bare hash", last: strings.ToUpper(hex), want: []error{version.ErrInvalidRevision}},
		{name: "content digest", last: "latest@sha512:" + strings.Repeat("a", 128), want: []error{git.ErrInvalidHash, version.ErrUnsupportedAlgorithm}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, nil)
			g.Expect(err).NotTo(HaveOccurred())
			// The port is closed: the clone fails before any I/O, or it
			// would say ErrUnreachable.
			_, err = c.Clone(t.Context(), "http://127.0.0.1:1/app.git", git.CloneOptions{LastObservedCommit: tt.last})
			g.Expect(err).To(MatchError(ContainSubstring("last observed commit")))
			for _, want := range tt.want {
				g.Expect(err).To(MatchError(want))
			}
			g.Expect(err).NotTo(MatchError(git.ErrUnreachable))
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}

func TestCloneInvalidCommit(t *testing.T) {
	g := NewWithT(t)
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	// Uppercase is refused as version refuses it, before any I/O.
	_, err = c.Clone(t.Context(), "http://127.0.0.1:1/app.git", git.CloneOptions{
		Reference: git.CheckoutReference{Commit: strings.ToUpper(strings.Repeat("ab", 20))},
	})
	g.Expect(err).To(MatchError(git.ErrReferenceNotFound))
	g.Expect(err).To(MatchError(git.ErrInvalidHash))
	g.Expect(err).To(MatchError(version.ErrInvalidRevision))
	g.Expect(dir).NotTo(BeAnExistingFile())
}
