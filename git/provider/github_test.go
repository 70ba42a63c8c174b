package provider_test

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git/provider"
)

// githubRepo is a repository as GitHub's REST API returns it.
func githubRepo(host, owner, name, description string, private bool) map[string]any {
	visibility := "public"
	if private {
		visibility = "private"
	}
	return map[string]any{
		"id": 42, "name": name, "full_name": owner + "/" + name,
		"owner":       map[string]any{"login": owner, "type": "Organization"},
		"description": description, "private": private, "visibility": visibility,
		"default_branch": "main",
		"clone_url":      "https://" + host + "/" + owner + "/" + name + ".git",
		"ssh_url":        "git@" + host + ":" + owner + "/" + name + ".git",
		"html_url":       "https://" + host + "/" + owner + "/" + name,
	}
}

// GitHub Enterprise Server over TLS with a private CA: the REST API v3
// under /api/v3 (https://docs.github.com/en/rest).
func TestGitHubMapping(t *testing.T) {
	g := NewWithT(t)
	api := newFakeAPI(t)
	srv := serveTLS(t, api)
	host := srv.Listener.Addr().String()
	const token = "ghp_secrettoken0123456789"

	// Without the CA the TLS handshake fails.
	c, err := provider.New(t.Context(), provider.KindGitHub, srv.URL, token)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.EnsureRepository(t.Context(), provider.RepositoryRef{Owner: "acme", Name: "fleet"}, provider.RepositoryOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("certificate")))
	api.requests()

	c, err = provider.New(t.Context(), provider.KindGitHub, host, token, provider.WithCAPEM(caPEM(srv)))
	g.Expect(err).NotTo(HaveOccurred())
	ref := provider.RepositoryRef{Owner: "acme", Name: "fleet"}

	t.Run("create organization repository", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v3/repos/acme/fleet", http.StatusNotFound, map[string]any{"message": "Not Found"})
		api.on("POST /api/v3/orgs/acme/repos", func(r request) (int, any) {
			return http.StatusCreated, githubRepo(host, "acme", r.Body["name"].(string), r.Body["description"].(string), r.Body["private"] == true)
		})
		repo, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{Description: "fleet", AutoInit: true})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionCreated))
		g.Expect(repo.HTTPURL).To(Equal("https://" + host + "/acme/fleet.git"))
		g.Expect(repo.SSHURL).To(Equal("git@" + host + ":acme/fleet.git"))
		got := api.requests()
		g.Expect(routes(got)).To(Equal([]string{"GET /api/v3/repos/acme/fleet", "POST /api/v3/orgs/acme/repos"}))
		g.Expect(got[0].Auth).To(Equal("Bearer " + token))
		g.Expect(got[1].Body).To(HaveKeyWithValue("name", "fleet"))
		g.Expect(got[1].Body).To(HaveKeyWithValue("description", "fleet"))
		g.Expect(got[1].Body).To(HaveKeyWithValue("private", true))
		g.Expect(got[1].Body).To(HaveKeyWithValue("auto_init", true))
	})

	t.Run("reconcile existing repository", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v3/repos/acme/fleet", http.StatusOK, githubRepo(host, "acme", "fleet", "old", true))
		var patched map[string]any
		api.on("PATCH /api/v3/repos/acme/fleet", func(r request) (int, any) {
			patched = r.Body
			return http.StatusOK, githubRepo(host, "acme", "fleet", r.Body["description"].(string), false)
		})
		repo, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{Description: "new", Visibility: provider.VisibilityPublic})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionUpdated))
		g.Expect(routes(api.requests())).To(Equal([]string{"GET /api/v3/repos/acme/fleet", "PATCH /api/v3/repos/acme/fleet"}))
		g.Expect(patched).To(HaveKeyWithValue("description", "new"))
		g.Expect(patched).To(HaveKeyWithValue("visibility", "public"))

		api.reply("GET /api/v3/repos/acme/fleet", http.StatusOK, githubRepo(host, "acme", "fleet", "new", false))
		repo, err = c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{Description: "new", Visibility: provider.VisibilityPublic})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionUnchanged))
		g.Expect(routes(api.requests())).To(Equal([]string{"GET /api/v3/repos/acme/fleet"}))
	})

	t.Run("personal repository of the token's user", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v3/user", http.StatusOK, map[string]any{"login": "octo", "type": "User"})
		api.reply("GET /api/v3/repos/octo/mine", http.StatusNotFound, map[string]any{"message": "Not Found"})
		api.reply("POST /api/v3/user/repos", http.StatusCreated, githubRepo(host, "octo", "mine", "", true))
		repo, err := c.EnsureRepository(t.Context(), provider.RepositoryRef{Name: "mine", Personal: true}, provider.RepositoryOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Ref.Owner).To(Equal("octo"))
		g.Expect(routes(api.requests())).To(ContainElements("GET /api/v3/repos/octo/mine", "POST /api/v3/user/repos"))
	})

	t.Run("deploy key rotation", func(t *testing.T) {
		g := NewWithT(t)
		_, oldKey := sshKey(t, "old")
		_, newKey := sshKey(t, "new")
		api.reply("GET /api/v3/repos/acme/fleet", http.StatusOK, githubRepo(host, "acme", "fleet", "new", false))
		api.reply("GET /api/v3/repos/acme/fleet/keys", http.StatusOK, []map[string]any{
			{"id": 7, "title": "other", "key": string(newKey), "read_only": true},
			{"id": 9, "title": "sluice", "key": string(oldKey), "read_only": true},
		})
		api.reply("DELETE /api/v3/repos/acme/fleet/keys/9", http.StatusNoContent, nil)
		var created map[string]any
		api.on("POST /api/v3/repos/acme/fleet/keys", func(r request) (int, any) {
			created = r.Body
			return http.StatusCreated, map[string]any{"id": 10, "title": r.Body["title"], "key": r.Body["key"], "read_only": r.Body["read_only"]}
		})
		dk, err := c.EnsureDeployKey(t.Context(), ref, provider.DeployKeyOptions{Title: "sluice", PublicKey: newKey, ReadWrite: true})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(dk.Action).To(Equal(provider.ActionRotated))
		g.Expect(routes(api.requests())).To(Equal([]string{
			"GET /api/v3/repos/acme/fleet", "GET /api/v3/repos/acme/fleet/keys",
			"DELETE /api/v3/repos/acme/fleet/keys/9", "POST /api/v3/repos/acme/fleet/keys",
		}))
		g.Expect(created).To(HaveKeyWithValue("title", "sluice"))
		g.Expect(created).To(HaveKeyWithValue("read_only", false))
		g.Expect(newKey).To(HavePrefix(created["key"].(string)))
	})

	t.Run("pull request", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v3/repos/acme/fleet", http.StatusOK, githubRepo(host, "acme", "fleet", "new", false))
		var body map[string]any
		api.on("POST /api/v3/repos/acme/fleet/pulls", func(r request) (int, any) {
			body = r.Body
			return http.StatusCreated, map[string]any{
				"number": 5, "title": r.Body["title"], "body": r.Body["body"], "merged": false,
				"html_url": "https://" + host + "/acme/fleet/pull/5",
				"head":     map[string]any{"ref": r.Body["head"]}, "base": map[string]any{"ref": r.Body["base"]},
			}
		})
		pr, err := c.OpenPullRequest(t.Context(), ref, provider.PullRequestOptions{Title: "Bootstrap", Description: "body", Head: "sluice/bootstrap"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(*pr).To(Equal(provider.PullRequest{Number: 5, URL: "https://" + host + "/acme/fleet/pull/5", Title: "Bootstrap", Head: "sluice/bootstrap", Action: provider.ActionCreated}))
		g.Expect(body).To(HaveKeyWithValue("base", "main"))
		g.Expect(body).To(HaveKeyWithValue("head", "sluice/bootstrap"))
		api.requests()
	})

	t.Run("errors are classified and hold no token", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v3/repos/acme/fleet", http.StatusUnauthorized, map[string]any{"message": "Bad credentials " + token})
		_, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrUnauthorized))
		g.Expect(err.Error()).NotTo(ContainSubstring(token))

		api.reply("GET /api/v3/repos/acme/fleet", http.StatusNotFound, map[string]any{"message": "Not Found"})
		api.reply("POST /api/v3/orgs/acme/repos", http.StatusNotFound, map[string]any{"message": "Not Found"})
		_, err = c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrNotFound))

		_, err = c.EnsureRepository(t.Context(), provider.RepositoryRef{Owner: "acme/team", Name: "x"}, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrUnsupported))
		api.requests()
	})
}
