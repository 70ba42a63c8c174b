package provider_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git/provider"
)

// stashRepo is a repository as Bitbucket Server's REST API 1.0 returns it.
func stashRepo(base, project, slug, description string) map[string]any {
	return map[string]any{
		"id": 11, "slug": slug, "name": slug, "scmId": "git", "state": "AVAILABLE",
		"description": description, "public": false, "defaultBranch": "main",
		"project": map[string]any{"key": project, "id": 1, "name": project},
		"links": map[string]any{
			"clone": []map[string]any{
				{"href": base + "/scm/" + project + "/" + slug + ".git", "name": "http"},
				{"href": "ssh://git@bitbucket.test:7999/" + project + "/" + slug + ".git", "name": "ssh"},
			},
			"self": []map[string]any{{"href": base + "/projects/" + project + "/repos/" + slug + "/browse"}},
		},
	}
}

// Bitbucket Server (Stash) over TLS: REST API 1.0 and the SSH keys API
// (https://developer.atlassian.com/server/bitbucket/rest/).
func TestBitbucketServerMapping(t *testing.T) {
	g := NewWithT(t)
	api := newFakeAPI(t)
	// Bitbucket Server names the authenticated user in every response.
	api.headers.Set("X-AUSERNAME", "bot")
	srv := serveTLS(t, api)
	const token = "bbs-secrettoken0123"

	_, err := provider.New(t.Context(), provider.KindBitbucketServer, srv.URL, token)
	g.Expect(err).To(MatchError(provider.ErrInvalidOptions))
	c, err := provider.New(t.Context(), provider.KindBitbucketServer, srv.URL, token, provider.WithUsername("bot"), provider.WithCAPEM(caPEM(srv)))
	g.Expect(err).NotTo(HaveOccurred())
	ref := provider.RepositoryRef{Owner: "ACME", Name: "fleet"}
	api.reply("GET /rest/api/1.0/users/bot", http.StatusOK, map[string]any{"name": "bot", "emailAddress": "bot@bitbucket.test", "displayName": "Bot", "slug": "bot"})
	api.reply("GET /rest/api/1.0/projects/ACME/repos/fleet/branches/default", http.StatusOK, map[string]any{"id": "refs/heads/main", "displayId": "main", "type": "BRANCH"})

	t.Run("create repository in a project", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /rest/api/1.0/projects/ACME/repos/fleet", http.StatusNotFound, map[string]any{"errors": []map[string]any{{"message": "Repository ACME/fleet does not exist."}}})
		api.reply("GET /rest/api/1.0/projects/ACME", http.StatusOK, map[string]any{"key": "ACME", "id": 1, "name": "ACME"})
		api.reply("POST /rest/api/1.0/projects/ACME/repos", http.StatusCreated, stashRepo(srv.URL, "ACME", "fleet", "fleet"))
		// With a default branch other than "master", go-git-providers pushes
		// an initial commit over Git HTTP; "master" keeps this test on the
		// REST API.
		repo, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{Description: "fleet", DefaultBranch: "master"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionCreated))
		g.Expect(repo.HTTPURL).To(Equal(srv.URL + "/scm/ACME/fleet.git"))
		g.Expect(repo.SSHURL).To(Equal("ssh://git@bitbucket.test:7999/ACME/fleet.git"))
		got := api.requests()
		g.Expect(routes(got)).To(ContainElements("GET /rest/api/1.0/projects/ACME/repos/fleet", "POST /rest/api/1.0/projects/ACME/repos"))
		for _, r := range got {
			if !strings.HasPrefix(r.Path, "/rest/") {
				continue // the client's unauthenticated probe of the base URL
			}
			g.Expect(r.Auth).To(Equal("Bearer "+token), r.String())
			if r.String() == "POST /rest/api/1.0/projects/ACME/repos" {
				g.Expect(r.Body).To(HaveKeyWithValue("name", "fleet"))
				g.Expect(r.Body).To(HaveKeyWithValue("description", "fleet"))
			}
		}
	})

	t.Run("deploy key rotated", func(t *testing.T) {
		g := NewWithT(t)
		_, oldKey := sshKey(t, "old")
		_, newKey := sshKey(t, "new")
		api.reply("GET /rest/api/1.0/projects/ACME/repos/fleet", http.StatusOK, stashRepo(srv.URL, "ACME", "fleet", "fleet"))
		api.reply("GET /rest/keys/1.0/projects/ACME/repos/fleet/ssh", http.StatusOK, map[string]any{
			"size": 1, "limit": 25, "isLastPage": true, "start": 0,
			"values": []map[string]any{{"key": map[string]any{"id": 4, "text": string(oldKey), "label": "sluice"}, "permission": "REPO_READ"}},
		})
		api.reply("DELETE /rest/keys/1.0/projects/ACME/repos/fleet/ssh/4", http.StatusNoContent, nil)
		var created map[string]any
		api.on("POST /rest/keys/1.0/projects/ACME/repos/fleet/ssh", func(r request) (int, any) {
			created = r.Body
			return http.StatusCreated, map[string]any{"key": map[string]any{"id": 5, "text": string(newKey), "label": "sluice"}, "permission": r.Body["permission"]}
		})
		dk, err := c.EnsureDeployKey(t.Context(), ref, provider.DeployKeyOptions{Title: "sluice", PublicKey: newKey, ReadWrite: true})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(dk.Action).To(Equal(provider.ActionRotated))
		got := routes(api.requests())
		g.Expect(got).To(ContainElements("DELETE /rest/keys/1.0/projects/ACME/repos/fleet/ssh/4", "POST /rest/keys/1.0/projects/ACME/repos/fleet/ssh"))
		g.Expect(created).To(HaveKeyWithValue("permission", "REPO_WRITE"))
	})

	t.Run("pull request", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /rest/api/1.0/projects/ACME/repos/fleet", http.StatusOK, stashRepo(srv.URL, "ACME", "fleet", "fleet"))
		var body map[string]any
		api.on("POST /rest/api/1.0/projects/ACME/repos/fleet/pull-requests", func(r request) (int, any) {
			body = r.Body
			return http.StatusCreated, map[string]any{
				"id": 8, "title": r.Body["title"], "description": r.Body["description"], "state": "OPEN", "open": true,
				"fromRef": r.Body["fromRef"], "toRef": r.Body["toRef"],
				"links": map[string]any{"self": []map[string]any{{"href": srv.URL + "/projects/ACME/repos/fleet/pull-requests/8"}}},
			}
		})
		pr, err := c.OpenPullRequest(t.Context(), ref, provider.PullRequestOptions{Title: "Bootstrap", Head: "sluice/bootstrap"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(pr.Number).To(Equal(8))
		g.Expect(pr.URL).To(Equal(srv.URL + "/projects/ACME/repos/fleet/pull-requests/8"))
		g.Expect(body).To(HaveKeyWithValue("fromRef", HaveKeyWithValue("id", "refs/heads/sluice/bootstrap")))
		g.Expect(body).To(HaveKeyWithValue("toRef", HaveKeyWithValue("id", "refs/heads/main")))
		api.requests()
	})

	t.Run("errors", func(t *testing.T) {
		g := NewWithT(t)
		api.reply("GET /rest/api/1.0/projects/ACME/repos/fleet", http.StatusUnauthorized, map[string]any{"errors": []map[string]any{{"message": "Authentication failed."}}})
		_, err := c.EnsureRepository(t.Context(), ref, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrUnauthorized))
		g.Expect(err.Error()).NotTo(ContainSubstring(token))
		api.requests()
	})
}
