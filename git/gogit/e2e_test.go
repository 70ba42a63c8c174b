package gogit_test

import (
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// TestEndToEnd runs every checkout strategy over every protocol of the
// test git server (smart HTTP, HTTPS with a custom CA, SSH with
// known_hosts, git daemon, and HTTP(S) and SSH through proxies), then every
// authentication failure, with the typed errors the client documents.
func TestEndToEnd(t *testing.T) {
	const user, pass, token = "alice", "s3cret-pass", "t0ken-value"
	f := newFixture(t, gitserver.WithBasicAuth(user, pass), gitserver.WithBearerToken(token))
	ca := f.srv.CACertPEM()
	httpURL, httpsURL, sshURL, gitURL := f.srv.HTTPURL(f.repo), f.srv.HTTPSURL(f.repo), f.srv.SSHURL(f.repo), f.srv.GitURL(f.repo)
	connect := newHTTPProxy(t, "proxyuser", "pr0xy-secret")
	socks := newSOCKS5(t, "", "")

	authFor := func(t *testing.T, url string, data map[string][]byte, insecure bool) *git.AuthOptions {
		t.Helper()
		a, err := git.NewAuthOptions(url, data)
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
		a.AllowInsecureHTTP = insecure
		return a
	}
	basic := map[string][]byte{git.KeyUsername: []byte(user), git.KeyPassword: []byte(pass)}
	basicCA := map[string][]byte{git.KeyUsername: []byte(user), git.KeyPassword: []byte(pass), git.KeyCACert: ca}
	bearerCA := map[string][]byte{git.KeyBearerToken: []byte(token), git.KeyCACert: ca}
	sshData := map[string][]byte{git.KeyIdentity: f.identity, git.KeyKnownHosts: f.srv.KnownHosts()}

	protocols := []struct {
		name    string
		url     string
		auth    *git.AuthOptions
		opts    []gogit.ClientOption
		counter func() int64
	}{
		{name: "http basic", url: httpURL, auth: authFor(t, httpURL, basic, true)},
		{name: "https basic custom CA", url: httpsURL, auth: authFor(t, httpsURL, basicCA, false)},
		{name: "https bearer", url: httpsURL, auth: authFor(t, httpsURL, bearerCA, false)},
		{name: "ssh known_hosts", url: sshURL, auth: authFor(t, sshURL, sshData, false)},
		{name: "git daemon", url: gitURL},
		{name: "http via proxy", url: httpURL, auth: authFor(t, httpURL, basic, true),
			opts: []gogit.ClientOption{gogit.WithProxy(connect.URL("proxyuser", "pr0xy-secret"))}, counter: connect.forwards.Load},
		{name: "https via CONNECT proxy", url: httpsURL, auth: authFor(t, httpsURL, bearerCA, false),
			opts: []gogit.ClientOption{gogit.WithProxy(connect.URL("proxyuser", "pr0xy-secret"))}, counter: connect.connects.Load},
		{name: "ssh via socks5", url: sshURL, auth: authFor(t, sshURL, sshData, false),
			opts: []gogit.ClientOption{gogit.WithProxy(socks.URL("", ""))}, counter: socks.tunnels.Load},
	}
	strategies := []struct {
		name    string
		ref     git.CheckoutReference
		commit  string
		wantRef string
		readme  string
	}{
		{name: "default branch", commit: f.c2, wantRef: "refs/heads/main", readme: "two\n"},
		{name: "branch", ref: git.CheckoutReference{Branch: "dev"}, commit: f.c3, wantRef: "refs/heads/dev", readme: "dev\n"},
		{name: "lightweight tag", ref: git.CheckoutReference{Tag: "v1.0.0"}, commit: f.c1, wantRef: "refs/tags/v1.0.0", readme: "one\n"},
		{name: "annotated tag", ref: git.CheckoutReference{Tag: "v1.1.0"}, commit: f.c2, wantRef: "refs/tags/v1.1.0", readme: "two\n"},
		{name: "semver", ref: git.CheckoutReference{SemVer: ">=1.0.0 <2.0.0"}, commit: f.c2, wantRef: "refs/tags/v1.1.0", readme: "two\n"},
		{name: "commit", ref: git.CheckoutReference{Commit: f.c1}, commit: f.c1, readme: "one\n"},
		{name: "pull request ref", ref: git.CheckoutReference{Name: "refs/pull/1/head"}, commit: f.c3, wantRef: "refs/pull/1/head", readme: "dev\n"},
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			var before int64
			if p.counter != nil {
				before = p.counter()
			}
			for _, s := range strategies {
				t.Run(s.name, func(t *testing.T) {
					g := NewWithT(t)
					dir := target(t)
					c, err := gogit.NewClient(dir, p.auth, p.opts...)
					g.Expect(err).NotTo(HaveOccurred())
					commit, err := c.Clone(t.Context(), p.url, git.CloneOptions{Reference: s.ref})
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(commit.Hash.Hex).To(Equal(s.commit))
					g.Expect(commit.Reference).To(Equal(s.wantRef))
					g.Expect(readFile(t, dir, "README.md")).To(Equal(s.readme))

					// The same reference again: one advertisement, no clone.
					again := target(t)
					c, err = gogit.NewClient(again, p.auth, p.opts...)
					g.Expect(err).NotTo(HaveOccurred())
					_, err = c.Clone(t.Context(), p.url, git.CloneOptions{Reference: s.ref, LastObservedCommit: commit.Revision().String()})
					g.Expect(err).To(MatchError(git.ErrNoChange))
					g.Expect(again).NotTo(BeAnExistingFile())
				})
			}
			t.Run("ls-remote", func(t *testing.T) {
				g := NewWithT(t)
				c, err := gogit.NewClient(target(t), p.auth, p.opts...)
				g.Expect(err).NotTo(HaveOccurred())
				refs, err := c.LsRemote(t.Context(), p.url, git.LsRemoteOptions{Prefixes: []string{"HEAD", "refs/pull/"}})
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(refs).To(HaveLen(2))
				g.Expect(refs[0].Target).To(Equal("refs/heads/main"))
				g.Expect(refs[0].Hash.Hex).To(Equal(f.c2))
				g.Expect(refs[1].Hash.Hex).To(Equal(f.c3))
			})
			if p.counter != nil {
				NewWithT(t).Expect(p.counter()-before).To(BeNumerically(">=", len(strategies)), "traffic went through the proxy")
			}
		})
	}

	_, stranger := newKey(t)
	unauthorised, _ := newKey(t)
	host := strings.Fields(string(f.srv.KnownHosts()))[0]
	failures := []struct {
		name string
		url  string
		data map[string][]byte
		opts []gogit.ClientOption
		want error
		// hostKey says the error must hold a *git.HostKeyError.
		hostKey bool
	}{
		{name: "http without credentials", url: httpURL, want: git.ErrAuthenticationFailed},
		{name: "http wrong password", url: httpURL, data: map[string][]byte{git.KeyUsername: []byte(user), git.KeyPassword: []byte("wr0ng-secret")}, want: git.ErrAuthenticationFailed},
		{name: "https without credentials", url: httpsURL, data: map[string][]byte{git.KeyCACert: ca}, want: git.ErrAuthenticationFailed},
		{name: "https wrong bearer token", url: httpsURL, data: map[string][]byte{git.KeyBearerToken: []byte("wr0ng-secret"), git.KeyCACert: ca}, want: git.ErrAuthenticationFailed},
		{name: "https wrong password via CONNECT proxy", url: httpsURL, data: map[string][]byte{git.KeyUsername: []byte(user), git.KeyPassword: []byte("wr0ng-secret"), git.KeyCACert: ca},
			opts: []gogit.ClientOption{gogit.WithProxy(connect.URL("proxyuser", "pr0xy-secret"))}, want: git.ErrAuthenticationFailed},
		{name: "wrong proxy password", url: httpsURL, data: bearerCA,
			opts: []gogit.ClientOption{gogit.WithProxy(connect.URL("proxyuser", "wr0ng-secret"))}, want: git.ErrAuthenticationFailed},
		{name: "ssh unauthorised key", url: sshURL, data: map[string][]byte{git.KeyIdentity: unauthorised, git.KeyKnownHosts: f.srv.KnownHosts()}, want: git.ErrAuthenticationFailed},
		{name: "ssh wrong host key", url: sshURL, data: map[string][]byte{git.KeyIdentity: f.identity, git.KeyKnownHosts: []byte(knownhosts.Line([]string{host}, stranger.PublicKey()) + "\n")},
			want: git.ErrHostKeyMismatch, hostKey: true},
		{name: "ssh unknown host", url: sshURL, data: map[string][]byte{git.KeyIdentity: f.identity, git.KeyKnownHosts: []byte(knownhosts.Line([]string{"[192.0.2.1]:22"}, f.srv.HostKey()) + "\n")},
			want: git.ErrUnknownHost, hostKey: true},
		{name: "ssh wrong host key via socks5", url: sshURL, data: map[string][]byte{git.KeyIdentity: f.identity, git.KeyKnownHosts: []byte(knownhosts.Line([]string{host}, stranger.PublicKey()) + "\n")},
			opts: []gogit.ClientOption{gogit.WithProxy(socks.URL("", ""))}, want: git.ErrHostKeyMismatch, hostKey: true},
	}
	for _, tt := range failures {
		t.Run("fails/"+tt.name, func(t *testing.T) {
			g := NewWithT(t)
			auth := authFor(t, tt.url, tt.data, true)
			dir := target(t)
			c, err := gogit.NewClient(dir, auth, tt.opts...)
			g.Expect(err).NotTo(HaveOccurred())
			_, cloneErr := c.Clone(t.Context(), tt.url, git.CloneOptions{Reference: git.CheckoutReference{Branch: "main"}})
			_, lsErr := c.LsRemote(t.Context(), tt.url, git.LsRemoteOptions{})
			for _, err := range []error{cloneErr, lsErr} {
				g.Expect(err).To(MatchError(tt.want))
				var opErr *git.OpError
				g.Expect(errors.As(err, &opErr)).To(BeTrue(), "%v", err)
				if tt.hostKey {
					var hkErr *git.HostKeyError
					g.Expect(errors.As(err, &hkErr)).To(BeTrue())
				}
				g.Expect(err.Error()).NotTo(ContainSubstring("wr0ng-secret"))
				g.Expect(err.Error()).NotTo(ContainSubstring("pr0xy-secret"))
			}
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}

	t.Run("fails/credentials over plain http", func(t *testing.T) {
		g := NewWithT(t)
		_, err := gogit.NewClient(target(t), authFor(t, httpURL, basic, false))
		g.Expect(err).To(MatchError(git.ErrInsecureHTTP))
		g.Expect(err.Error()).NotTo(ContainSubstring(pass))
	})
}
