package git_test

import (
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/git"
)

func ExampleCommit_Revision() {
	hash, _ := git.ParseHash("6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1")
	for _, ref := range []string{"refs/heads/main", "refs/tags/v1.2.3", "refs/pull/1/head", ""} {
		fmt.Println(git.Commit{Hash: hash, Reference: ref}.Revision())
	}
	// Output:
	// main@sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// v1.2.3@sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// refs/pull/1/head@sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
}

func ExampleNewAuthOptions() {
	// A controller hands over a Secret's data; values never appear in errors.
	_, err := git.NewAuthOptions("https://example.com/org/app.git", map[string][]byte{
		"username":    []byte("bot"),
		"password":    []byte("hunter2"),
		"bearerToken": []byte("t0ken"),
	})
	var authErr *git.AuthError
	fmt.Println(errors.Is(err, git.ErrInvalidAuth), errors.As(err, &authErr), authErr.Key)

	auth, err := git.NewAuthOptions("http://example.com/org/app.git", map[string][]byte{
		"username": []byte("bot"),
		"password": []byte("hunter2"),
	})
	fmt.Println(err, errors.Is(auth.Validate(), git.ErrInsecureHTTP))
	// Output:
	// true true bearerToken
	// <nil> true
}

func ExampleParseURL() {
	u, err := git.ParseURL("git@github.com:org/app.git")
	fmt.Println(u, err)
	_, err = git.ParseURL("ext::ssh -o ProxyCommand=evil example.com %S")
	fmt.Println(errors.Is(err, git.ErrUnsupportedScheme))
	// Output:
	// ssh://git@github.com/org/app.git <nil>
	// true
}
