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
// # Reading options
//
// LsRemote lists the remote's references (HEAD's target, peeled annotated
// tags) with one request. CloneOptions.SparseDirectories checks out only
// some directories; CloneOptions.RecurseSubmodules clones submodules, to a
// bounded depth, with the parent's credentials only on the parent's host.
// Client options add an HTTP(S) or SOCKS5 proxy (WithProxy; SOCKS5 also for
// SSH), progress reports a command line can draw as bars (WithProgress,
// WithProgressWriter), and the multi_ack_detailed capability Azure DevOps
// demands (WithMultiACK), per client rather than through go-git's
// package-level transport.UnsupportedCapabilities:
//
//	c, err := gogit.NewClient(dir, auth,
//		gogit.WithProxy("http://proxy.internal:3128"),
//		gogit.WithProgress(func(p git.Progress) { bar.Set(p.Phase, p.Percent()) }))
//	refs, err := c.LsRemote(ctx, url, git.LsRemoteOptions{Prefixes: []string{"refs/tags/"}})
//	commit, err := c.Clone(ctx, url, git.CloneOptions{
//		SparseDirectories: []string{"deploy/prod"},
//		RecurseSubmodules: true,
//	})
//
// # Writing
//
// The same Client writes: Init creates a repository with an "origin"
// remote, Open reads HEAD of an existing one, SwitchBranch checks a branch
// out (fetching it from origin when only the remote has it), Commit stages
// exactly the given files and deletions (or every change of the worktree)
// and refuses an empty commit with git.ErrEmptyCommit, signing with
// CommitOptions.SigningKey (OpenPGP or SSH, as git verify-commit checks
// them), and Push sends branches to origin with the authentication and
// trust Clone uses, with Force and push options. VerifyCommit and VerifyTag
// check signatures of the repository with a signature.Verifier.
//
//	commit, err := c.Commit(ctx, git.CommitOptions{Message: "bump", Author: bot,
//		Files: map[string][]byte{"apps/app.yaml": manifest}})
//	if errors.Is(err, git.ErrEmptyCommit) {
//		return nil // nothing changed
//	}
//	err = c.Push(ctx, git.PushOptions{})
//
// Authentication and trust are passed to go-git per call (Auth, CABundle,
// ClientCert and ClientKey options, an SSH host key callback built from
// known_hosts): the package never touches go-git's global transport
// registry and has no package-level state.
//
// # Concurrency
//
// A Client owns its directory: do not call Clone or the writing verbs on
// one Client from several goroutines. Different Clients with different
// directories may work concurrently and may share one *git.AuthOptions.
//
// # Errors
//
// Each verb documents the typed errors of package git it returns; test
// them with errors.Is and errors.As. A *git.NoChangeError comes with a
// non-nil commit and is not a failure.
package gogit
