package gogit_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/version"
)

func TestLsRemote(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	v110, err := f.srv.Resolve(t.Context(), f.repo, "refs/tags/v1.1.0")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(v110).NotTo(Equal(f.c2), "an annotated tag has its own object")
	h := func(hex string) git.Hash { return git.Hash{Algorithm: version.SHA1, Hex: hex} }

	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	f.takeRequests()
	refs, err := c.LsRemote(t.Context(), f.srv.HTTPURL(f.repo), git.LsRemoteOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.takeRequests()).To(HaveLen(1), "one ref advertisement")
	g.Expect(dir).NotTo(BeAnExistingFile())
	v200, err := f.srv.Resolve(t.Context(), f.repo, "refs/tags/v2.0.0")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(refs).To(Equal([]git.RemoteRef{
		{Name: "HEAD", Hash: h(f.c2), Target: "refs/heads/main"},
		{Name: "refs/heads/dev", Hash: h(f.c3)},
		{Name: "refs/heads/main", Hash: h(f.c2)},
		{Name: "refs/pull/1/head", Hash: h(f.c3)},
		{Name: "refs/tags/v1.0.0", Hash: h(f.c1)},
		{Name: "refs/tags/v1.1.0", Hash: h(v110), Peeled: h(f.c2)},
		{Name: "refs/tags/v2.0.0", Hash: h(v200), Peeled: h(f.c3)},
	}))
	g.Expect(refs[5].Commit()).To(Equal(h(f.c2)))
	g.Expect(refs[4].Commit()).To(Equal(h(f.c1)))

	// Every transport lists the same references.
	for _, tc := range []struct {
		url  string
		auth *git.AuthOptions
	}{{url: f.srv.SSHURL(f.repo), auth: f.sshAuth(t)}, {url: f.srv.GitURL(f.repo)}} {
		c, err := gogit.NewClient(target(t), tc.auth)
		g.Expect(err).NotTo(HaveOccurred())
		tags, err := c.LsRemote(t.Context(), tc.url, git.LsRemoteOptions{Prefixes: []string{"refs/tags/", "HEAD"}})
		g.Expect(err).NotTo(HaveOccurred(), tc.url)
		g.Expect(tags).To(HaveLen(4), tc.url)
		g.Expect(tags[0].Name).To(Equal("HEAD"))
		g.Expect(tags[0].Hash).To(Equal(h(f.c2)))
		g.Expect(tags[1:]).To(Equal(refs[4:]), tc.url)
	}
}

func TestLsRemoteErrors(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("alice", "s3cret-pass"))
	empty, err := gitserver.New(t.Context())
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = empty.Close() })
	_, err = empty.CreateRepo(t.Context(), "empty.git", gitserver.RepoOptions{})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(empty.StartHTTP(t.Context())).To(Succeed())
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	short, stop := context.WithTimeout(t.Context(), time.Nanosecond)
	defer stop()
	<-short.Done()

	tests := []struct {
		name string
		ctx  context.Context
		url  string
		want error
	}{
		{name: "no credentials", ctx: t.Context(), url: f.srv.HTTPURL(f.repo), want: git.ErrAuthenticationFailed},
		{name: "missing repository", ctx: t.Context(), url: f.srv.GitURL("nope.git"), want: git.ErrRepositoryNotFound},
		{name: "empty repository", ctx: t.Context(), url: empty.HTTPURL("empty.git"), want: git.ErrReferenceNotFound},
		{name: "unreachable", ctx: t.Context(), url: "http://127.0.0.1:1/app.git", want: git.ErrUnreachable},
		{name: "canceled", ctx: canceled, url: f.srv.GitURL(f.repo), want: context.Canceled},
		{name: "deadline", ctx: short, url: f.srv.GitURL(f.repo), want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c, err := gogit.NewClient(target(t), nil)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.LsRemote(tt.ctx, tt.url, git.LsRemoteOptions{})
			g.Expect(err).To(MatchError(tt.want))
			var opErr *git.OpError
			g.Expect(errorsAs(err, &opErr)).To(BeTrue())
			g.Expect(opErr.Op).To(Equal("ls-remote"))
		})
	}

	g := NewWithT(t)
	c, err := gogit.NewClient(target(t), nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.LsRemote(t.Context(), "ext::sh -c evil", git.LsRemoteOptions{})
	g.Expect(err).To(MatchError(git.ErrUnsupportedScheme))
	_, err = c.LsRemote(t.Context(), f.srv.SSHURL(f.repo), git.LsRemoteOptions{})
	g.Expect(err).To(MatchError(git.ErrInvalidAuth))
}
