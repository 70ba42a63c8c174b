// Package gitea runs a real Gitea server for Sluice's tests: Gitea v1.26.0
// built from source, on free loopback ports, with SQLite in a temporary
// folder, a site administrator and an access token. Tests use it as the
// real provider behind go-git-providers' gitea client and as a Git server
// over HTTP and SSH.
//
// The one call a newcomer needs:
//
//	srv, err := gitea.Start(t.Context()) // builds Gitea on first use
//	if err != nil {
//		t.Fatal(err)
//	}
//	t.Cleanup(func() { _ = srv.Close() })
//	// srv.URL(), srv.Token(), srv.Username(), srv.Password(),
//	// srv.SSHAddr(), srv.KnownHosts()
//
// # Binary
//
// [Binary] builds Gitea once per user, with cgo and the sqlite tags and
// main.Version set, into $XDG_CACHE_HOME/sluice/testenv/gitea-v1.26.0,
// beside the options, templates and public folders a server reads at run
// time (about 7 minutes cold on 2 cores; a C compiler is needed). A file
// lock lets concurrent test binaries share one build, made in a temporary
// folder renamed into place when complete. The command
// github.com/sluice-dev/sluice/testenv/cmd/assets -tools prebuilds it.
//
// # Server
//
// [Start] writes an app.ini (offline mode, built-in SSH server with an
// ed25519 host key it generates, registration disabled, cron and indexers
// off, in-memory cache, session and queue), runs `gitea migrate`, creates
// the administrator and a token of scope "all" with the gitea CLI, then
// runs `gitea web` in its own process group and waits for the API. A start
// takes a few seconds once the binary is cached. [Server.Close] stops the
// process group and removes the folder.
//
// # Concurrency
//
// Servers are independent: a test binary may run several at once. A
// [Server]'s methods are safe for concurrent use. [Binary] is safe to call
// from several goroutines and processes at once.
//
// # Errors
//
// [Binary] and [Start] return a [*BuildError] wrapping [ErrGoNotFound],
// [ErrModuleDownload] or [ErrBuildFailed] when the build fails. [Start]
// returns an error wrapping [ErrInvalidOption] for a bad option and
// [ErrStartFailed], with the tail of Gitea's output, when the server cannot
// be set up or started.
package gitea
