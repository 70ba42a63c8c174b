// Package gitserver runs real Git servers for tests: smart HTTP and HTTPS
// through git http-backend, SSH through golang.org/x/crypto/ssh running
// git-upload-pack and git-receive-pack, and git:// through git daemon, all on
// 127.0.0.1 and free ports, serving the bare repositories under one root
// directory. Fixture helpers create repositories, commits, branches, tags and
// signed objects with the git CLI, with a fixed identity and dates so that
// hashes are reproducible.
//
// The git CLI (with git-http-backend and git daemon, as Debian's git package
// ships them) is a prerequisite; signing also needs ssh-keygen or gpg.
//
// The one call a newcomer needs is New, then a Start method and a URL:
//
//	srv, err := gitserver.New(t.Context())
//	// handle err
//	t.Cleanup(func() { _ = srv.Close() })
//	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{
//		Files: map[string]string{"README.md": "hello\n"},
//	})
//	err = srv.StartHTTP(t.Context())
//	url := srv.HTTPURL("app.git") // http://127.0.0.1:PORT/app.git
//
// StartHTTPS serves a certificate signed by the CA of CACertPEM. StartSSH
// needs AuthorizeKey for each client key, and clients check the server with
// KnownHosts. StartGitDaemon runs git daemon in its own process group, which
// Close kills. Options add basic or bearer authentication to HTTP(S)
// (WithBasicAuth, WithBearerToken), refuse pushes on every protocol
// (WithReadOnly) and observe each Request (WithRequestHook).
//
// # Concurrency
//
// A Server is safe for concurrent use: clients may connect over every
// protocol at once, and fixture helpers may run while clients fetch. Fixture
// helpers on the same repository run one at a time; on different
// repositories they run in parallel. Request hooks run concurrently on the
// serving goroutines. Close waits for the servers and their processes to
// stop; calls after it fail with ErrClosed.
//
// # Errors
//
// New fails with ErrGitNotFound when the git CLI is missing. Start methods
// and fixture helpers fail with ErrClosed after Close; fixture helpers fail
// with ErrOutsideRoot for paths that escape the root, ErrInvalidOption for
// unusable options, and a *GitError carrying git's standard error when git
// fails. Refused client requests are not errors of the Server: clients see
// them (HTTP 401 or 403, an SSH exit status with a message, a git daemon
// error), and Request.Err reports them to hooks as ErrUnauthenticated,
// ErrReadOnly, ErrOutsideRoot or ErrUnsupportedCommand.
package gitserver
