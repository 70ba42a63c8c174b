package gogit_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

func TestCloneHTTPAuth(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("alice", "s3cret-pass"), gitserver.WithBearerToken("t0ken-value"))
	httpURL, httpsURL := f.srv.HTTPURL(f.repo), f.srv.HTTPSURL(f.repo)
	ca := f.srv.CACertPEM()
	tests := []struct {
		name     string
		url      string
		data     map[string][]byte
		insecure bool
		want     error
	}{
		{name: "basic over http allowed", url: httpURL, data: map[string][]byte{"username": []byte("alice"), "password": []byte("s3cret-pass")}, insecure: true},
		{name: "basic over https", url: httpsURL, data: map[string][]byte{"username": []byte("alice"), "password": []byte("s3cret-pass"), "ca.crt": ca}},
		{name: "bearer over https", url: httpsURL, data: map[string][]byte{"bearerToken": []byte("t0ken-value"), "ca.crt": ca}},
		{name: "wrong password", url: httpURL, data: map[string][]byte{"username": []byte("alice"), "password": []byte("wrong-pass")}, insecure: true, want: git.ErrAuthenticationFailed},
		{name: "wrong token", url: httpsURL, data: map[string][]byte{"bearerToken": []byte("wrong-token"), "ca.crt": ca}, want: git.ErrAuthenticationFailed},
		{name: "no credentials", url: httpURL, want: git.ErrAuthenticationFailed},
		{name: "credentials in https URL", url: strings.Replace(httpsURL, "https://", "https://alice:s3cret-pass@", 1), data: map[string][]byte{"ca.crt": ca}},
		{name: "wrong credentials in https URL", url: strings.Replace(httpsURL, "https://", "https://alice:wrong-pass@", 1), data: map[string][]byte{"ca.crt": ca}, want: git.ErrAuthenticationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			auth, err := git.NewAuthOptions(tt.url, tt.data)
			g.Expect(err).NotTo(HaveOccurred())
			auth.AllowInsecureHTTP = tt.insecure
			dir := target(t)
			c, err := gogit.NewClient(dir, auth)
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(t.Context(), tt.url, git.CloneOptions{})
			if tt.want == nil {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(commit.Hash.Hex).To(Equal(f.c2))
				return
			}
			g.Expect(err).To(MatchError(tt.want))
			g.Expect(err.Error()).NotTo(ContainSubstring("wrong-"))
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}

func TestCloneRefusesCredentialsOverHTTP(t *testing.T) {
	g := NewWithT(t)
	url := "http://127.0.0.1:1/app.git"
	auth, err := git.NewAuthOptions(url, map[string][]byte{"username": []byte("alice"), "password": []byte("s3cret-pass")})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = gogit.NewClient(target(t), auth)
	g.Expect(err).To(MatchError(git.ErrInsecureHTTP))
	g.Expect(err.Error()).NotTo(ContainSubstring("s3cret"))

	// Credentials in the URL are credentials too.
	c, err := gogit.NewClient(target(t), nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), "http://alice:s3cret-pass@127.0.0.1:1/app.git", git.CloneOptions{})
	g.Expect(err).To(MatchError(git.ErrInsecureHTTP))
	g.Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
}

func TestCloneSSHHostKeys(t *testing.T) {
	f := newFixture(t)
	url := f.srv.SSHURL(f.repo)
	_, other := newKey(t)
	line := string(f.srv.KnownHosts())
	host := strings.Fields(line)[0]
	hashed := knownhosts.Line([]string{knownhosts.HashHostname(host)}, f.srv.HostKey())
	unauthorised, _ := newKey(t)
	tests := []struct {
		name       string
		identity   []byte
		knownHosts string
		want       error
	}{
		{name: "hashed known_hosts entry", identity: f.identity, knownHosts: hashed + "\n"},
		{name: "wrong host key", identity: f.identity, knownHosts: knownhosts.Line([]string{host}, other.PublicKey()) + "\n", want: git.ErrHostKeyMismatch},
		{name: "unknown host", identity: f.identity, knownHosts: knownhosts.Line([]string{"[192.0.2.1]:22"}, f.srv.HostKey()) + "\n", want: git.ErrUnknownHost},
		{name: "unauthorised key", identity: unauthorised, knownHosts: line, want: git.ErrAuthenticationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			auth, err := git.NewAuthOptions(url, map[string][]byte{
				git.KeyIdentity:   tt.identity,
				git.KeyKnownHosts: []byte(tt.knownHosts),
			})
			g.Expect(err).NotTo(HaveOccurred())
			dir := target(t)
			c, err := gogit.NewClient(dir, auth)
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(t.Context(), url, git.CloneOptions{})
			if tt.want == nil {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(commit.Hash.Hex).To(Equal(f.c2))
				return
			}
			g.Expect(err).To(MatchError(tt.want))
			if !errors.Is(tt.want, git.ErrAuthenticationFailed) {
				var hkErr *git.HostKeyError
				g.Expect(err).To(BeAssignableToTypeOf(&git.OpError{}))
				g.Expect(errorsAs(err, &hkErr)).To(BeTrue())
			}
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}

func TestCloneSSHNeedsKnownHosts(t *testing.T) {
	g := NewWithT(t)
	c, err := gogit.NewClient(target(t), nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), "ssh://git@127.0.0.1:1/app.git", git.CloneOptions{})
	g.Expect(err).To(MatchError(git.ErrInvalidAuth))
}

func TestCloneUnreachableHost(t *testing.T) {
	g := NewWithT(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	addr := l.Addr().String()
	g.Expect(l.Close()).To(Succeed())

	for _, url := range []string{"http://" + addr + "/app.git", "git://" + addr + "/app.git"} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		dir := target(t)
		c, err := gogit.NewClient(dir, nil)
		g.Expect(err).NotTo(HaveOccurred())
		start := time.Now()
		_, err = c.Clone(ctx, url, git.CloneOptions{})
		cancel()
		g.Expect(err).To(MatchError(git.ErrUnreachable), url)
		g.Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
		g.Expect(dir).NotTo(BeAnExistingFile())
	}
}

func TestCloneCancelledContext(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, f.srv.HTTPURL(f.repo), git.CloneOptions{})
	g.Expect(err).To(MatchError(context.Canceled))
	g.Expect(dir).NotTo(BeAnExistingFile())
}

func TestCloneURLErrors(t *testing.T) {
	tests := map[string]error{
		"":                          git.ErrInvalidURL,
		"not a url":                 git.ErrInvalidURL,
		"http://":                   git.ErrInvalidURL,
		"https://example.com":       git.ErrInvalidURL,
		"http://[::1/app.git":       git.ErrInvalidURL,
		"ext::sh -c touch% /tmp/x":  git.ErrUnsupportedScheme,
		"ftp://example.com/app.git": git.ErrUnsupportedScheme,
		"file:///srv/app.git":       git.ErrUnsupportedScheme,
	}
	for url, want := range tests {
		t.Run(url, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, nil)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(t.Context(), url, git.CloneOptions{})
			g.Expect(err).To(MatchError(want))
			var urlErr *git.URLError
			g.Expect(errorsAs(err, &urlErr)).To(BeTrue())
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
}

func TestNewClientErrors(t *testing.T) {
	g := NewWithT(t)
	_, err := gogit.NewClient("", nil)
	g.Expect(err).To(HaveOccurred())

	auth, err := git.NewAuthOptions("https://example.com/app.git", nil)
	g.Expect(err).NotTo(HaveOccurred())
	c, err := gogit.NewClient(target(t), auth)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(t.Context(), "ssh://git@example.com/app.git", git.CloneOptions{})
	g.Expect(err).To(MatchError(git.ErrInvalidAuth))
}

func TestCloneHangingServerBoundedByContext(t *testing.T) {
	g := NewWithT(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		// Accept and say nothing, holding connections until the listener
		// closes.
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	for _, url := range []string{"http://" + l.Addr().String() + "/app.git", "git://" + l.Addr().String() + "/app.git"} {
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		dir := target(t)
		c, err := gogit.NewClient(dir, nil)
		g.Expect(err).NotTo(HaveOccurred())
		start := time.Now()
		_, err = c.Clone(ctx, url, git.CloneOptions{})
		cancel()
		g.Expect(err).To(MatchError(context.DeadlineExceeded), url)
		g.Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		g.Expect(dir).NotTo(BeAnExistingFile())
	}
}
