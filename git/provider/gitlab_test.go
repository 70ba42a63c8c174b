package provider_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git/provider"
)

// gitlabProject is a project as GitLab's REST API v4 returns it.
func gitlabProject(base, namespace, name, description, visibility string) map[string]any {
	return map[string]any{
		"id": 77, "name": name, "path": name, "path_with_namespace": namespace + "/" + name,
		"namespace":   map[string]any{"id": 5, "full_path": namespace, "path": namespace, "kind": "group"},
		"description": description, "visibility": visibility, "default_branch": "main",
		"http_url_to_repo": base + "/" + namespace + "/" + name + ".git",
		"ssh_url_to_repo":  "git@gitlab.test:" + namespace + "/" + name + ".git",
		"web_url":          base + "/" + namespace + "/" + name,
	}
}

// A self-managed GitLab over plain HTTP (allowed explicitly): the REST API
// v4 (https://docs.gitlab.com/api/rest/).
func TestGitLabMapping(t *testing.T) {
	g := NewWithT(t)
	api := newFakeAPI(t)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	const token = "glpat-secrettoken0123"

	_, err := provider.New(t.Context(), provider.KindGitLab, srv.URL, token)
	g.Expect(err).To(MatchError(provider.ErrInsecureHTTP))
	c, err := provider.New(t.Context(), provider.KindGitLab, srv.URL, token, provider.WithInsecureHTTP())
	g.Expect(err).NotTo(HaveOccurred())
	ref := provider.RepositoryRef{Owner: "acme", Name: "fleet"}

	t.Run("create project in a group", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v4/projects/acme%2Ffleet", http.StatusNotFound, map[string]any{"message": "404 Project Not Found"})
		api.reply("GET /api/v4/groups/acme", http.StatusOK, map[string]any{"id": 5, "path": "acme", "full_path": "acme", "name": "acme"})
		api.on("POST /api/v4/projects", func(r request) (int, any) {
			return http.StatusCreated, gitlabProject(srv.URL, "acme", "fleet", r.Body["description"].(string), r.Body["visibility"].(string))
		})
		repo, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{Description: "fleet", Visibility: provider.VisibilityInternal, AutoInit: true})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionCreated))
		g.Expect(repo.HTTPURL).To(Equal(srv.URL + "/acme/fleet.git"))
		got := api.requests()
		g.Expect(routes(got)).To(ContainElements("GET /api/v4/projects/acme%2Ffleet", "POST /api/v4/projects"))
		g.Expect(got[0].Auth).To(Equal("PRIVATE-TOKEN " + token))
		create := got[len(got)-1]
		g.Expect(create.String()).To(Equal("POST /api/v4/projects"))
		g.Expect(create.Body).To(HaveKeyWithValue("name", "fleet"))
		g.Expect(create.Body).To(HaveKeyWithValue("namespace_id", BeNumerically("==", 5)))
		g.Expect(create.Body).To(HaveKeyWithValue("visibility", "internal"))
		g.Expect(create.Body).To(HaveKeyWithValue("initialize_with_readme", true))
	})

	t.Run("deploy key added", func(t *testing.T) {
		g := NewWithT(t)
		_, key := sshKey(t, "k")
		api.reply("GET /api/v4/projects/acme%2Ffleet", http.StatusOK, gitlabProject(srv.URL, "acme", "fleet", "fleet", "internal"))
		api.reply("GET /api/v4/projects/acme%2Ffleet/deploy_keys", http.StatusOK, []any{})
		var created map[string]any
		api.on("POST /api/v4/projects/acme%2Ffleet/deploy_keys", func(r request) (int, any) {
			created = r.Body
			return http.StatusCreated, map[string]any{"id": 3, "title": r.Body["title"], "key": r.Body["key"], "can_push": r.Body["can_push"]}
		})
		dk, err := c.EnsureDeployKey(t.Context(), ref, provider.DeployKeyOptions{Title: "sluice", PublicKey: key})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(dk.Action).To(Equal(provider.ActionCreated))
		g.Expect(routes(api.requests())).To(ContainElement("POST /api/v4/projects/acme%2Ffleet/deploy_keys"))
		g.Expect(created).To(HaveKeyWithValue("title", "sluice"))
		g.Expect(created).To(HaveKeyWithValue("can_push", false))
	})

	t.Run("merge request", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v4/projects/acme%2Ffleet", http.StatusOK, gitlabProject(srv.URL, "acme", "fleet", "fleet", "internal"))
		var body map[string]any
		api.on("POST /api/v4/projects/acme%2Ffleet/merge_requests", func(r request) (int, any) {
			body = r.Body
			return http.StatusCreated, map[string]any{
				"id": 900, "iid": 3, "title": r.Body["title"], "description": r.Body["description"],
				"source_branch": r.Body["source_branch"], "target_branch": r.Body["target_branch"],
				"state": "opened", "web_url": srv.URL + "/acme/fleet/-/merge_requests/3",
			}
		})
		pr, err := c.OpenPullRequest(t.Context(), ref, provider.PullRequestOptions{Title: "Bootstrap", Head: "sluice/bootstrap", Base: "main"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(pr.Number).To(Equal(3))
		g.Expect(pr.URL).To(Equal(srv.URL + "/acme/fleet/-/merge_requests/3"))
		g.Expect(body).To(HaveKeyWithValue("source_branch", "sluice/bootstrap"))
		g.Expect(body).To(HaveKeyWithValue("target_branch", "main"))
		api.requests()
	})

	t.Run("errors", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /api/v4/projects/acme%2Ffleet", http.StatusUnauthorized, map[string]any{"message": "401 Unauthorized"})
		_, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrUnauthorized))
		g.Expect(err.Error()).NotTo(ContainSubstring(token))

		api.reply("GET /api/v4/projects/nogroup%2Ffleet", http.StatusNotFound, map[string]any{"message": "404 Project Not Found"})
		api.reply("GET /api/v4/groups/nogroup", http.StatusNotFound, map[string]any{"message": "404 Group Not Found"})
		_, err = c.EnsureRepository(t.Context(), provider.RepositoryRef{Owner: "nogroup", Name: "fleet"}, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrNotFound))
		api.requests()
	})
}
