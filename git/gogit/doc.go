// Package gogit is the go-git implementation of Sluice's Git client: it
// clones over HTTP(S), SSH and git:// (file:// on request) by branch, tag,
// semver range, commit or any reference name, shallow by default, and skips
// the clone when the remote has not moved since the last observed commit.
//
// The one call a newcomer needs:
//
//	auth, err := git.NewAuthOptions(url, secret.Data) // nil data: anonymous
//	c, err := gogit.NewClient(dir, auth)
//	commit, err := c.Clone(ctx, url, git.CloneOptions{
//		Reference:          git.CheckoutReference{SemVer: ">=1.0.0 <2.0.0"},
//		LastObservedCommit: status.LastRevision,
//	})
//	var unchanged *git.NoChangeError
//	if errors.As(err, &unchanged) {
//		// nothing fetched; commit holds the remote hash and reference
//	}
//
// Authentication and trust are passed to go-git per call (Auth, CABundle,
// ClientCert and ClientKey options, an SSH host key callback built from
// known_hosts): the package never touches go-git's global transport
// registry and has no package-level state.
//
// # Concurrency
//
// A Client owns its directory: do not call Clone on one Client from several
// goroutines. Different Clients with different directories may clone
// concurrently and may share one *git.AuthOptions.
//
// # Errors
//
// Clone returns the typed errors of package git, described on Clone; test
// them with errors.Is and errors.As. A *git.NoChangeError comes with a
// non-nil commit and is not a failure.
package gogit
