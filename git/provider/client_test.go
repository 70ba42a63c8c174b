package provider_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git/provider"
)

func TestParseKind(t *testing.T) {
	g := NewWithT(t)
	for in, want := range map[string]provider.Kind{
		"github": provider.KindGitHub, "GitLab": provider.KindGitLab, " gitea ": provider.KindGitea,
		"bitbucket-server": provider.KindBitbucketServer, "stash": provider.KindBitbucketServer,
	} {
		k, err := provider.ParseKind(in)
		g.Expect(err).NotTo(HaveOccurred(), in)
		g.Expect(k).To(Equal(want))
	}
	for _, in := range []string{"", "bitbucket", "azure-devops", "gogs"} {
		_, err := provider.ParseKind(in)
		g.Expect(err).To(MatchError(provider.ErrUnsupportedProvider), in)
	}
}

func TestNew(t *testing.T) {
	const token = "t0ken-value"
	for _, tc := range []struct {
		name    string
		kind    provider.Kind
		baseURL string
		opts    []provider.Option
		want    error
	}{
		{"github.com by default", provider.KindGitHub, "", nil, nil},
		{"github enterprise host", provider.KindGitHub, "github.example.com", nil, nil},
		{"gitlab.com by default", provider.KindGitLab, "", nil, nil},
		{"gitlab with path", provider.KindGitLab, "https://example.com/gitlab", []provider.Option{provider.WithGitLabOAuth2Token()}, nil},
		{"bitbucket server", provider.KindBitbucketServer, "https://bitbucket.example.com:7990", []provider.Option{provider.WithUsername("bot")}, nil},
		{"unknown kind", provider.Kind("bitbucket"), "https://bitbucket.org", nil, provider.ErrUnsupportedProvider},
		{"plain http refused", provider.KindGitea, "http://gitea.example.com", nil, provider.ErrInsecureHTTP},
		{"plain http allowed", provider.KindGitLab, "http://gitlab.example.com", []provider.Option{provider.WithInsecureHTTP()}, nil},
		{"github never over http", provider.KindGitHub, "http://github.example.com", []provider.Option{provider.WithInsecureHTTP()}, provider.ErrUnsupported},
		{"github with a path", provider.KindGitHub, "https://example.com/github", nil, provider.ErrInvalidOptions},
		{"bitbucket server needs a URL", provider.KindBitbucketServer, "", []provider.Option{provider.WithUsername("bot")}, provider.ErrInvalidOptions},
		{"bitbucket server needs a user", provider.KindBitbucketServer, "https://bitbucket.example.com", nil, provider.ErrInvalidOptions},
		{"credentials in URL", provider.KindGitea, "https://user:" + token + "@gitea.example.com", nil, provider.ErrInvalidOptions},
		{"query in URL", provider.KindGitLab, "https://gitlab.example.com?x=1", nil, provider.ErrInvalidOptions},
		{"other scheme", provider.KindGitLab, "ftp://gitlab.example.com", nil, provider.ErrInvalidOptions},
		{"empty CA", provider.KindGitLab, "https://gitlab.example.com", []provider.Option{provider.WithCAPEM([]byte{})}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			c, err := provider.New(t.Context(), tc.kind, tc.baseURL, token, tc.opts...)
			if tc.want != nil {
				g.Expect(err).To(MatchError(tc.want))
				g.Expect(err.Error()).NotTo(ContainSubstring(token))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c.Kind()).To(Equal(tc.kind))
			g.Expect(c.Raw()).NotTo(BeNil())
		})
	}
	t.Run("empty token", func(t *testing.T) {
		_, err := provider.New(t.Context(), provider.KindGitea, "", "")
		NewWithT(t).Expect(err).To(MatchError(provider.ErrInvalidOptions))
	})
}

// Arguments are checked before any request: the client points at a
// closed port, so a request would fail differently.
func TestVerbsValidateArguments(t *testing.T) {
	g := NewWithT(t)
	c, err := provider.New(t.Context(), provider.KindGitLab, "http://127.0.0.1:1", "token", provider.WithInsecureHTTP())
	g.Expect(err).NotTo(HaveOccurred())
	ctx := t.Context()
	ok := provider.RepositoryRef{Owner: "o", Name: "r"}
	_, key := sshKey(t, "k")

	for name, ref := range map[string]provider.RepositoryRef{
		"no name":           {Owner: "o"},
		"name with slash":   {Owner: "o", Name: "a/b"},
		"org without owner": {Name: "r"},
		"bad owner":         {Owner: "a//b", Name: "r"},
		"personal subgroup": {Owner: "a/b", Name: "r", Personal: true},
	} {
		_, err := c.EnsureRepository(ctx, ref, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrInvalidOptions), name)
	}
	_, err = c.EnsureRepository(ctx, ok, provider.RepositoryOptions{Visibility: "secret"})
	g.Expect(err).To(MatchError(provider.ErrInvalidOptions))
	_, err = c.EnsureDeployKey(ctx, ok, provider.DeployKeyOptions{PublicKey: key})
	g.Expect(err).To(MatchError(provider.ErrInvalidOptions))
	_, err = c.EnsureDeployKey(ctx, ok, provider.DeployKeyOptions{Title: "k", PublicKey: []byte("not a key")})
	g.Expect(err).To(MatchError(provider.ErrInvalidOptions))
	_, err = c.OpenPullRequest(ctx, ok, provider.PullRequestOptions{Title: "t"})
	g.Expect(err).To(MatchError(provider.ErrInvalidOptions))
	_, err = c.OpenPullRequest(ctx, ok, provider.PullRequestOptions{Head: "h"})
	g.Expect(err).To(MatchError(provider.ErrInvalidOptions))

	var perr *provider.Error
	g.Expect(err).To(BeAssignableToTypeOf(perr))
	g.Expect(err.Error()).To(HavePrefix("open pull request o/r on gitlab: invalid options"))
}

// Gitea's client reads the server version in New: bounded by ctx, and
// classified like every other call.
func TestNewGiteaProbe(t *testing.T) {
	g := NewWithT(t)
	api := newFakeAPI(t)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	api.reply("GET /api/v1/version", http.StatusOK, map[string]any{"version": "1.26.0"})
	c, err := provider.New(t.Context(), provider.KindGitea, srv.URL, "gitea-token-0123", provider.WithInsecureHTTP())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Kind()).To(Equal(provider.KindGitea))
	got := api.requests()
	g.Expect(routes(got)).To(Equal([]string{"GET /api/v1/version"}))
	g.Expect(got[0].Auth).To(Equal("token gitea-token-0123"))

	api.reply("GET /api/v1/version", http.StatusUnauthorized, map[string]any{"message": "token is required"})
	_, err = provider.New(t.Context(), provider.KindGitea, srv.URL, "gitea-token-0123", provider.WithInsecureHTTP())
	g.Expect(err).To(MatchError(provider.ErrUnauthorized))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = provider.New(ctx, provider.KindGitea, srv.URL, "gitea-token-0123", provider.WithInsecureHTTP())
	g.Expect(err).To(MatchError(context.Canceled))
}

func TestEnumStrings(t *testing.T) {
	g := NewWithT(t)
	g.Expect(provider.KindBitbucketServer.String()).To(Equal("bitbucket-server"))
	g.Expect(provider.VisibilityInternal.String()).To(Equal("internal"))
	g.Expect(provider.ActionRotated.String()).To(Equal("rotated"))
	g.Expect(provider.RepositoryRef{Owner: "a/b", Name: "c"}.String()).To(Equal("a/b/c"))
}

func FuzzParseKind(f *testing.F) {
	for _, s := range []string{"github", "GitLab", "stash", "bitbucket", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := provider.ParseKind(s)
		if err != nil {
			if k != "" {
				t.Fatalf("ParseKind(%q) = %q with an error", s, k)
			}
			return
		}
		again, err := provider.ParseKind(k.String())
		if err != nil || again != k {
			t.Fatalf("ParseKind(%q) = %q does not round-trip: %q, %v", s, k, again, err)
		}
		if strings.TrimSpace(s) == "" {
			t.Fatalf("ParseKind(%q) accepted blank input", s)
		}
	})
}

func FuzzNew(f *testing.F) {
	for _, s := range []string{"", "github.example.com", "https://x", "http://x", "https://u:p@x", "https://x/p?q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, baseURL string) {
		for _, k := range []provider.Kind{provider.KindGitHub, provider.KindGitLab, provider.KindGitea, provider.KindBitbucketServer} {
			_, err := provider.New(t.Context(), k, baseURL, "SECRET-TOKEN", provider.WithUsername("u"))
			if err != nil && strings.Contains(err.Error(), "SECRET-TOKEN") {
				t.Fatalf("New(%s, %q) leaked the token: %v", k, baseURL, err)
			}
		}
	})
}
