package gitserver

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh/knownhosts"
)

// recorder collects the Requests a server reports.
type recorder struct {
	mu   sync.Mutex
	reqs []Request
}

func (r *recorder) hook(req Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
}

func (r *recorder) all() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// matching returns the recorded requests for which keep is true.
func (r *recorder) matching(keep func(Request) bool) []Request {
	var out []Request
	for _, req := range r.all() {
		if keep(req) {
			out = append(out, req)
		}
	}
	return out
}

func withUser(rawURL, user, pass string) string {
	u, _ := url.Parse(rawURL)
	u.User = url.UserPassword(user, pass)
	return u.String()
}

func TestHTTPAuth(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := newHarness(t, WithBasicAuth("alice", "secret"), WithBearerToken("s3cr3t-token"), WithRequestHook(rec.hook))
	for _, proto := range []Protocol{ProtocolHTTP, ProtocolHTTPS} {
		t.Run(proto.String(), func(t *testing.T) {
			t.Parallel()
			repo := "auth-" + proto.String() + ".git"
			head := seedRepo(t, h.srv, repo)
			base := h.url(proto, repo)
			env := h.cliEnv(t, proto)

			cli := []struct {
				name    string
				url     string
				args    []string
				wantErr string
			}{
				{name: "no credentials", url: base, wantErr: "terminal prompts disabled"},
				{name: "wrong password", url: withUser(base, "alice", "wrong"), wantErr: "Authentication failed"},
				{name: "wrong user", url: withUser(base, "bob", "secret"), wantErr: "Authentication failed"},
				{name: "wrong token", url: base, args: []string{"-c", "http.extraHeader=Authorization: Bearer nope"}, wantErr: "terminal prompts disabled"},
				{name: "basic", url: withUser(base, "alice", "secret")},
				{name: "bearer", url: base, args: []string{"-c", "http.extraHeader=Authorization: Bearer s3cr3t-token"}},
			}
			for _, tc := range cli {
				t.Run("cli/"+tc.name, func(t *testing.T) {
					g := NewWithT(t)
					args := append(append([]string{}, tc.args...), "ls-remote", tc.url, "HEAD")
					out, err := runGit(t.Context(), h.home, "", env, args...)
					if tc.wantErr != "" {
						g.Expect(err).To(HaveOccurred(), out)
						g.Expect(out).To(ContainSubstring(tc.wantErr))
						return
					}
					g.Expect(err).NotTo(HaveOccurred(), out)
					g.Expect(out).To(HavePrefix(head))
				})
			}

			gg := []struct {
				name    string
				auth    transport.AuthMethod
				wantErr error
			}{
				{name: "no credentials", wantErr: transport.ErrAuthenticationRequired},
				{name: "wrong password", auth: basicAuth("alice", "wrong"), wantErr: transport.ErrAuthenticationRequired},
				{name: "wrong token", auth: &githttp.TokenAuth{Token: "nope"}, wantErr: transport.ErrAuthenticationRequired},
				{name: "basic", auth: basicAuth("alice", "secret")},
				{name: "bearer", auth: &githttp.TokenAuth{Token: "s3cr3t-token"}},
			}
			for _, tc := range gg {
				t.Run("gogit/"+tc.name, func(t *testing.T) {
					g := NewWithT(t)
					r, err := gogit.PlainCloneContext(t.Context(), t.TempDir(), false, &gogit.CloneOptions{
						URL: base, Auth: tc.auth, CABundle: h.caBundle(proto),
					})
					if tc.wantErr != nil {
						g.Expect(err).To(MatchError(tc.wantErr))
						return
					}
					g.Expect(err).NotTo(HaveOccurred())
					gogitCommit(t, r, map[string]string{tc.name: "x"}, tc.name)
					g.Expect(r.PushContext(t.Context(), &gogit.PushOptions{Auth: tc.auth, CABundle: h.caBundle(proto)})).To(Succeed())
				})
			}
		})
	}
	t.Cleanup(func() {
		g := NewWithT(t)
		for _, proto := range []Protocol{ProtocolHTTP, ProtocolHTTPS} {
			refused := rec.matching(func(r Request) bool { return r.Protocol == proto && r.Err != nil })
			g.Expect(refused).NotTo(BeEmpty())
			for _, r := range refused {
				g.Expect(r.Err).To(MatchError(ErrUnauthenticated))
				g.Expect(r.Authenticated).To(BeFalse())
			}
			g.Expect(rec.matching(func(r Request) bool {
				return r.Protocol == proto && r.User == "alice" && r.Authenticated && r.Service == ServiceReceivePack
			})).NotTo(BeEmpty())
		}
	})
}

func TestSSHAuth(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := newHarness(t, WithBasicAuth("alice", "secret"), WithRequestHook(rec.hook))
	head := seedRepo(t, h.srv, "app.git")
	url := h.srv.SSHURL("app.git")
	stranger := newTestKey(t) // never authorised

	// A known_hosts file that names another key for the server's address.
	other := newTestKey(t)
	wrongHosts := filepath.Join(t.TempDir(), "known_hosts")
	NewWithT(t).Expect(os.WriteFile(wrongHosts,
		[]byte(knownhosts.Line([]string{knownhosts.Normalize(h.srv.sshEP.addr)}, other.signer.PublicKey())+"\n"), 0o600)).To(Succeed())

	t.Run("cli/unauthorised key", func(t *testing.T) {
		g := NewWithT(t)
		out, err := runGit(t.Context(), h.home, "", []string{sshCommandEnv(stranger.path, h.knownHosts)}, "ls-remote", url)
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("Permission denied"))
	})
	t.Run("cli/wrong known_hosts", func(t *testing.T) {
		g := NewWithT(t)
		out, err := runGit(t.Context(), h.home, "", []string{sshCommandEnv(h.key.path, wrongHosts)}, "ls-remote", url)
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("Host key verification failed"))
	})
	t.Run("cli/authorised key", func(t *testing.T) {
		out := mustGit(t, h.home, "", h.cliEnv(t, ProtocolSSH), "ls-remote", url, "HEAD")
		NewWithT(t).Expect(out).To(HavePrefix(head))
	})

	clone := func(t *testing.T, auth transport.AuthMethod) error {
		_, err := gogit.PlainCloneContext(t.Context(), t.TempDir(), false, &gogit.CloneOptions{URL: url, Auth: auth})
		return err
	}
	t.Run("gogit/unauthorised key", func(t *testing.T) {
		err := clone(t, &gitssh.PublicKeys{User: "git", Signer: stranger.signer, HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
			HostKeyCallback: hostKeyCallback(t, h.knownHosts),
		}})
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring("unable to authenticate")))
	})
	t.Run("gogit/wrong known_hosts", func(t *testing.T) {
		err := clone(t, &gitssh.PublicKeys{User: "git", Signer: h.key.signer, HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
			HostKeyCallback: hostKeyCallback(t, wrongHosts),
		}})
		var keyErr *knownhosts.KeyError
		NewWithT(t).Expect(errors.As(err, &keyErr)).To(BeTrue(), "%v", err)
		NewWithT(t).Expect(keyErr.Want).NotTo(BeEmpty())
	})
	t.Run("gogit/password", func(t *testing.T) {
		err := clone(t, &gitssh.Password{User: "alice", Password: "secret", HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
			HostKeyCallback: hostKeyCallback(t, h.knownHosts),
		}})
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	})
	t.Run("gogit/wrong password", func(t *testing.T) {
		err := clone(t, &gitssh.Password{User: "alice", Password: "wrong", HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
			HostKeyCallback: hostKeyCallback(t, h.knownHosts),
		}})
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring("unable to authenticate")))
	})

	g := NewWithT(t)
	// Three refused logins (CLI key, go-git key, wrong password); a host key
	// rejected by the client is no login attempt. The server reports a
	// refused login once the client hangs up, maybe after the client returned.
	g.Eventually(func() []Request {
		return rec.matching(func(r Request) bool { return r.Err != nil })
	}).WithTimeout(5 * time.Second).Should(HaveLen(3))
	for _, r := range rec.matching(func(r Request) bool { return r.Err != nil }) {
		g.Expect(r).To(Equal(Request{Protocol: ProtocolSSH, Err: ErrUnauthenticated}))
	}
	g.Expect(rec.matching(func(r Request) bool { return r.Err == nil && r.User == "alice" })).To(HaveLen(1))
}

// TestReadOnly refuses pushes on every protocol, and still serves fetches.
func TestReadOnly(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := newHarness(t, WithReadOnly(), WithRequestHook(rec.hook))
	for _, proto := range allProtocols() {
		t.Run(proto.String(), func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			repo := "ro-" + proto.String() + ".git"
			head := seedRepo(t, h.srv, repo)
			env := h.cliEnv(t, proto)

			dir := t.TempDir()
			mustGit(t, h.home, "", env, "clone", "--quiet", h.url(proto, repo), dir)
			mustGit(t, h.home, dir, nil, "commit", "--quiet", "--allow-empty", "-m", "refused")
			out, err := runGit(t.Context(), h.home, dir, env, "push", "origin", "HEAD:main")
			g.Expect(err).To(HaveOccurred(), out)
			switch proto {
			case ProtocolGit:
				g.Expect(out).To(ContainSubstring("service not enabled"))
			case ProtocolSSH:
				g.Expect(out).To(ContainSubstring("server is read-only"))
			default:
				g.Expect(out).To(ContainSubstring("403"))
			}

			r, err := gogit.PlainCloneContext(t.Context(), t.TempDir(), false, &gogit.CloneOptions{
				URL: h.url(proto, repo), Auth: h.gogitAuth(t, proto), CABundle: h.caBundle(proto),
			})
			g.Expect(err).NotTo(HaveOccurred())
			gogitCommit(t, r, map[string]string{"x": "x"}, "refused")
			err = r.PushContext(t.Context(), &gogit.PushOptions{Auth: h.gogitAuth(t, proto), CABundle: h.caBundle(proto)})
			g.Expect(err).To(HaveOccurred())
			if proto == ProtocolHTTP || proto == ProtocolHTTPS {
				g.Expect(err).To(MatchError(transport.ErrAuthorizationFailed))
			}

			got, err := h.srv.Resolve(t.Context(), repo, "main")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(head))
			refused := rec.matching(func(r Request) bool { return r.Protocol == proto && r.Repo == repo && r.Err != nil })
			g.Expect(refused).To(HaveLen(2)) // one per client
			for _, r := range refused {
				g.Expect(r.Err).To(MatchError(ErrReadOnly))
				g.Expect(r.Service).To(Equal(ServiceReceivePack))
			}
		})
	}
}
