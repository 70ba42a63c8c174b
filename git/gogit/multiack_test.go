package gogit_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/transport"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// multiACKGate stands in front of the real git http-backend and, like Azure
// DevOps, refuses upload-pack requests whose capabilities lack multi_ack.
func multiACKGate(t *testing.T, upstream string) (string, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(upstream)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	var passed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			first, _, _ := bytes.Cut(body, []byte("\n"))
			if !slices.ContainsFunc(strings.Fields(string(first)), func(f string) bool { return strings.HasPrefix(f, "multi_ack") }) {
				http.Error(w, "TF401041: The Git protocol sent is not as expected (Clients must support multi-ack.).", http.StatusBadRequest)
				return
			}
			passed.Add(1)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path, &passed
}

func TestWithMultiACK(t *testing.T) {
	f := newFixture(t, gitserver.WithBasicAuth("alice", "s3cret-pass"))
	g := NewWithT(t)
	gate, passed := multiACKGate(t, f.srv.HTTPURL(f.repo))
	unsupported := slices.Clone(transport.UnsupportedCapabilities)
	auth, err := git.NewAuthOptions(gate, map[string][]byte{git.KeyUsername: []byte("alice"), git.KeyPassword: []byte("s3cret-pass")})
	g.Expect(err).NotTo(HaveOccurred())
	auth.AllowInsecureHTTP = true

	// Without the option the gate refuses the request, as Azure DevOps does.
	plain, err := gogit.NewClient(target(t), auth)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = plain.Clone(t.Context(), gate, git.CloneOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("400")))
	g.Expect(passed.Load()).To(BeZero())

	for _, ref := range []git.CheckoutReference{{}, {Commit: f.c1}, {Name: "refs/pull/1/head"}} {
		dir := target(t)
		c, err := gogit.NewClient(dir, auth, gogit.WithMultiACK())
		g.Expect(err).NotTo(HaveOccurred())
		commit, err := c.Clone(t.Context(), gate, git.CloneOptions{Reference: ref, FullHistory: ref.Commit == ""})
		g.Expect(err).NotTo(HaveOccurred(), "%+v", ref)
		g.Expect(commit.Hash.Hex).To(BeElementOf(f.c1, f.c2, f.c3))
		g.Expect(readFile(t, dir, "README.md")).NotTo(BeEmpty())
	}
	g.Expect(passed.Load()).To(BeNumerically(">=", 3))

	// The same process can still use clients without the option, and go-git's
	// package-level list was never touched.
	_, err = plain.Clone(t.Context(), gate, git.CloneOptions{})
	g.Expect(err).To(HaveOccurred())
	g.Expect(transport.UnsupportedCapabilities).To(Equal(unsupported))
	g.Expect(transport.UnsupportedCapabilities).To(ContainElement(capability.MultiACKDetailed))
}
