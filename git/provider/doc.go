// Package provider manages repositories on Git hosting providers for the
// bootstrap flow of a GitOps controller: make sure a repository exists
// with the right visibility, description and default branch; add or rotate
// a deploy key; open a pull (merge) request for changes pushed with
// git/gogit. GitHub (and GitHub Enterprise Server), GitLab, Gitea and
// Bitbucket Server go through the same calls, on
// github.com/fluxcd/go-git-providers. It never imports Kubernetes packages.
//
// The calls a newcomer needs:
//
//	c, err := provider.New(ctx, provider.KindGitHub, "", token)
//	repo, err := c.EnsureRepository(ctx, provider.RepositoryRef{Owner: "acme", Name: "fleet"},
//		provider.RepositoryOptions{Visibility: provider.VisibilityPrivate, AutoInit: true})
//	key, err := c.EnsureDeployKey(ctx, repo.Ref, provider.DeployKeyOptions{
//		Title: "sluice", PublicKey: publicKey}) // read-only unless ReadWrite
//	// ... clone repo.SSHURL, commit, push a branch with git/gogit ...
//	pr, err := c.OpenPullRequest(ctx, repo.Ref, provider.PullRequestOptions{
//		Title: "Bootstrap", Head: "sluice/bootstrap"})
//
// Every verb is idempotent and reports what it did as an [Action]:
// created, updated, rotated or unchanged.
//
// # Secure defaults
//
// A token is never sent over plain http:// unless [WithInsecureHTTP] is
// given (for test servers). A private CA is trusted with [WithCAPEM].
// Error messages never hold the token.
//
// # Concurrency
//
// A [Client] is safe for concurrent use. ctx bounds every request to
// GitHub, GitLab and Bitbucket Server; go-git-providers v0.27.0 sends
// Gitea's requests without a context, so for Gitea ctx bounds only the
// version probe in [New].
//
// # Errors
//
// The verbs return an [*Error] naming the operation, the provider and the
// repository, which unwraps to [ErrInvalidOptions], [ErrNotFound],
// [ErrUnauthorized], [ErrUnsupported] or [ErrConflict] when the failure is
// classified (test with errors.Is), and to the provider SDK's error. [New]
// and [ParseKind] return [ErrUnsupportedProvider] for an unknown provider
// and [New] returns [ErrInsecureHTTP] for http:// without
// [WithInsecureHTTP].
package provider
