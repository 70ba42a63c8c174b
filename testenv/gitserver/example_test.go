package gitserver_test

import (
	"context"
	"fmt"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// Serve a repository over HTTPS and clone it with go-git. In a test, use
// t.Context() and close the server in t.Cleanup.
func Example() {
	ctx := context.Background()
	srv, err := gitserver.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = srv.Close() }()

	head, err := srv.CreateRepo(ctx, "app.git", gitserver.RepoOptions{
		Files: map[string]string{"README.md": "hello\n"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.StartHTTPS(ctx); err != nil {
		fmt.Println(err)
		return
	}

	repo, err := gogit.CloneContext(ctx, memory.NewStorage(), nil, &gogit.CloneOptions{
		URL:      srv.HTTPSURL("app.git"),
		CABundle: srv.CACertPEM(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, err := repo.Head()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ref.Name(), ref.Hash().String() == head)
	fmt.Println(head) // fixture hashes are reproducible
	// Output:
	// refs/heads/main true
	// 9625e1b092e84ec728dff9324d6334400fa609f1
}

// Let an SSH client in and give it a known_hosts file.
func ExampleServer_StartSSH() {
	ctx := context.Background()
	srv, err := gitserver.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = srv.Close() }()
	if err := srv.StartSSH(ctx); err != nil {
		fmt.Println(err)
		return
	}
	// srv.AuthorizeKey(clientSigner.PublicKey())
	// os.WriteFile(knownHostsPath, srv.KnownHosts(), 0o600)
	// clone srv.SSHURL("app.git"), such as ssh://git@127.0.0.1:PORT/app.git
	fmt.Println(srv.HostKey().Type())
	// Output: ssh-ed25519
}
