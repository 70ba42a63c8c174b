package gogit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

func TestPushTransports(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("bot", "push-password"))
	basic := map[string][]byte{git.KeyUsername: []byte("bot"), git.KeyPassword: []byte("push-password")}
	tests := []struct {
		name string
		url  func(repo string) string
		auth func(t *testing.T, url string) *git.AuthOptions
	}{
		{name: "http with basic auth", url: f.srv.HTTPURL, auth: func(t *testing.T, url string) *git.AuthOptions {
			a, err := git.NewAuthOptions(url, basic)
			NewWithT(t).Expect(err).NotTo(HaveOccurred())
			a.AllowInsecureHTTP = true
			return a
		}},
		{name: "https with basic auth and CA", url: f.srv.HTTPSURL, auth: func(t *testing.T, url string) *git.AuthOptions {
			a, err := git.NewAuthOptions(url, map[string][]byte{
				git.KeyUsername: basic[git.KeyUsername], git.KeyPassword: basic[git.KeyPassword], git.KeyCACert: f.srv.CACertPEM(),
			})
			NewWithT(t).Expect(err).NotTo(HaveOccurred())
			return a
		}},
		{name: "ssh", url: f.srv.SSHURL, auth: func(t *testing.T, _ string) *git.AuthOptions { return f.sshAuth(t) }},
		{name: "git daemon", url: f.srv.GitURL, auth: func(*testing.T, string) *git.AuthOptions { return nil }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := t.Context()
			repo := filepath.Base(t.Name()) + ".git"
			_, err := f.srv.CreateRepo(ctx, repo, gitserver.RepoOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			url := tt.url(repo)

			// A new repository pushed to an empty one.
			dir := target(t)
			c, err := gogit.NewClient(dir, tt.auth(t, url))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c.Init(ctx, url, git.InitOptions{})).To(Succeed())
			first, err := c.Commit(ctx, git.CommitOptions{Message: "first", Author: bot, Files: map[string][]byte{"app.yaml": []byte("v1\n")}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c.Push(ctx, git.PushOptions{})).To(Succeed())
			g.Expect(f.serverGit(t, repo, "rev-parse", "refs/heads/main")).To(Equal(first.Hash.Hex))
			g.Expect(c.Push(ctx, git.PushOptions{})).To(Succeed(), "up to date")

			// A shallow clone commits and pushes a fast-forward.
			clone := target(t)
			c2, err := gogit.NewClient(clone, tt.auth(t, url))
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c2.Clone(ctx, url, git.CloneOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			second, err := c2.Commit(ctx, git.CommitOptions{Message: "second", Author: bot, Files: map[string][]byte{"app.yaml": []byte("v2\n")}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c2.Push(ctx, git.PushOptions{})).To(Succeed())
			g.Expect(f.serverGit(t, repo, "rev-parse", "refs/heads/main")).To(Equal(second.Hash.Hex))
			g.Expect(f.serverGit(t, repo, "show", "main:app.yaml")).To(Equal("v2"))
			g.Expect(f.serverGit(t, repo, "fsck", "--no-dangling")).To(BeEmpty())

			// The first clone is behind: a plain push is refused, a forced
			// one replaces the remote branch.
			third, err := c.Commit(ctx, git.CommitOptions{Message: "diverge", Author: bot, Files: map[string][]byte{"other.yaml": []byte(tt.name)}})
			g.Expect(err).NotTo(HaveOccurred())
			err = c.Push(ctx, git.PushOptions{})
			g.Expect(err).To(MatchError(git.ErrNonFastForward))
			var opErr *git.OpError
			g.Expect(errorsAs(err, &opErr)).To(BeTrue())
			g.Expect(opErr.Op).To(Equal("push"))
			g.Expect(err.Error()).NotTo(ContainSubstring("push-password"))
			g.Expect(f.serverGit(t, repo, "rev-parse", "refs/heads/main")).To(Equal(second.Hash.Hex))
			g.Expect(c.Push(ctx, git.PushOptions{Force: true})).To(Succeed())
			g.Expect(f.serverGit(t, repo, "rev-parse", "refs/heads/main")).To(Equal(third.Hash.Hex))

			// Explicit refspecs.
			g.Expect(c.Push(ctx, git.PushOptions{RefSpecs: []string{"refs/heads/main:refs/heads/release-" + string(rune('a'+i))}})).To(Succeed())
			g.Expect(f.serverGit(t, repo, "rev-parse", "refs/heads/release-"+string(rune('a'+i)))).To(Equal(third.Hash.Hex))
		})
	}
}

func TestPushOptionsReachServerHooks(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, proto := range []string{"http", "ssh", "git"} {
		t.Run(proto, func(t *testing.T) {
			g := NewWithT(t)
			repo := "options-" + proto + ".git"
			_, err := f.srv.CreateRepo(ctx, repo, gitserver.RepoOptions{Files: map[string]string{"a": "a\n"}})
			g.Expect(err).NotTo(HaveOccurred())
			f.serverGit(t, repo, "config", "receive.advertisePushOptions", "true")
			log := filepath.Join(t.TempDir(), "push-options.log")
			f.installHook(t, repo, "pre-receive", `i=0
while [ "$i" -lt "${GIT_PUSH_OPTION_COUNT:-0}" ]; do
  eval "printf '%s\n' \"\$GIT_PUSH_OPTION_$i\"" >> '`+log+`'
  i=$((i+1))
done
`)
			var url string
			var auth *git.AuthOptions
			switch proto {
			case "http":
				url = f.srv.HTTPURL(repo)
			case "ssh":
				url = f.srv.SSHURL(repo)
				auth = f.sshAuth(t)
			default:
				url = f.srv.GitURL(repo)
			}
			c, err := gogit.NewClient(target(t), auth)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(ctx, url, git.CloneOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Commit(ctx, git.CommitOptions{Message: "with options", Author: bot, Files: map[string][]byte{"b": []byte("b\n")}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c.Push(ctx, git.PushOptions{Options: map[string]string{"ci.skip": "true", "merge_request.target": "main"}})).To(Succeed())
			b, err := os.ReadFile(log) // #nosec G304 -- test file.
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(hasLine(b, "ci.skip=true")).To(BeTrue(), string(b))
			g.Expect(hasLine(b, "merge_request.target=main")).To(BeTrue(), string(b))
		})
	}
}

func TestPushRejectedAndRefused(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	f.installHook(t, f.repo, "pre-receive", "echo 'protected branch' >&2\nexit 1\n")
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, f.srv.HTTPURL(f.repo), git.CloneOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Commit(ctx, git.CommitOptions{Message: "refused", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())

	err = c.Push(ctx, git.PushOptions{})
	g.Expect(err).To(MatchError(git.ErrPushRejected))
	g.Expect(f.serverGit(t, f.repo, "rev-parse", "refs/heads/main")).To(Equal(f.c2))

	for name, opts := range map[string]git.PushOptions{
		"bad refspec":      {RefSpecs: []string{"not a refspec"}},
		"wildcard refspec": {RefSpecs: []string{"refs/heads/*:refs/heads/*"}},
	} {
		g.Expect(c.Push(ctx, opts)).To(MatchError(git.ErrInvalidOptions), name)
	}
	mustGit(t, dir, "checkout", "--quiet", "--detach")
	g.Expect(c.Push(ctx, git.PushOptions{})).To(MatchError(git.ErrInvalidOptions))
	mustGit(t, dir, "remote", "remove", "origin")
	g.Expect(c.Push(ctx, git.PushOptions{RefSpecs: []string{"HEAD:refs/heads/x"}})).To(MatchError(git.ErrInvalidOptions))
}

func TestPushFailures(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("bot", "push-password"))
	g := NewWithT(t)
	ctx := t.Context()

	// Wrong password.
	url := f.srv.HTTPSURL(f.repo)
	auth, err := git.NewAuthOptions(url, map[string][]byte{git.KeyUsername: []byte("bot"), git.KeyPassword: []byte("wrong-password"), git.KeyCACert: f.srv.CACertPEM()})
	g.Expect(err).NotTo(HaveOccurred())
	c, err := gogit.NewClient(target(t), auth)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, url, git.InitOptions{})).To(Succeed())
	_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())
	err = c.Push(ctx, git.PushOptions{})
	g.Expect(err).To(MatchError(git.ErrAuthenticationFailed))
	g.Expect(err.Error()).NotTo(ContainSubstring("wrong-password"))

	// Credentials over plain http (here in the remote's URL, as the git CLI
	// may store them) are refused before anything is sent.
	httpURL := f.srv.HTTPURL(f.repo)
	dir := target(t)
	c, err = gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, httpURL, git.InitOptions{})).To(Succeed())
	_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())
	mustGit(t, dir, "remote", "set-url", "origin", strings.Replace(httpURL, "http://", "http://bot:push-password@", 1))
	f.takeRequests()
	err = c.Push(ctx, git.PushOptions{})
	g.Expect(err).To(MatchError(git.ErrInsecureHTTP))
	g.Expect(err.Error()).NotTo(ContainSubstring("push-password"))
	g.Expect(f.takeRequests()).To(BeEmpty())

	// SSH with a host key known_hosts does not list fails closed.
	sshAuth := f.sshAuth(t)
	_, otherHost := newKey(t)
	bad := *sshAuth
	host := strings.Fields(string(f.srv.KnownHosts()))[0]
	bad.KnownHosts = []byte(knownhosts.Line([]string{host}, otherHost.PublicKey()) + "\n")
	dir = target(t)
	c, err = gogit.NewClient(dir, &bad)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, f.srv.SSHURL(f.repo), git.InitOptions{})).To(Succeed())
	_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Push(ctx, git.PushOptions{})).To(MatchError(git.ErrHostKeyMismatch))

	// A repository the server does not have.
	c, err = gogit.NewClient(target(t), nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Init(ctx, f.srv.GitURL("missing.git"), git.InitOptions{})).To(Succeed())
	_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Push(ctx, git.PushOptions{})).To(MatchError(git.ErrRepositoryNotFound))
}
