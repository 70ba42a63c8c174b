package git_test

import (
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/version"
)

func ExampleCommit_Revision() {
	hash, _ := git.ParseHash("6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1")
	for _, ref := range []string{"refs/heads/main", "refs/tags/v1.2.3", "refs/pull/1/head", ""} {
		fmt.Println(git.Commit{Hash: hash, Reference: ref}.Revision())
	}
	// A revision is a version.Revision, as oci's are: compare the commit,
	// not the pointer.
	main := git.Commit{Hash: hash, Reference: "refs/heads/main"}.Revision()
	tag := git.Commit{Hash: hash, Reference: "refs/tags/v1.2.3"}.Revision()
	fmt.Println(main.SameDigest(tag))
	// Output:
	// main@sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// v1.2.3@sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// refs/pull/1/head@sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1
	// true
}

func ExampleParseHash() {
	h, err := git.ParseHash("6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1")
	fmt.Println(h, err)
	// Uppercase is rejected, as version.ParseAnyRevision rejects it.
	_, err = git.ParseHash("6E0C5A1A5B1DD1F1B4B1E7E1D7C3A2F0E8D9C4B1")
	fmt.Println(errors.Is(err, git.ErrInvalidHash), errors.Is(err, version.ErrInvalidRevision))
	// Output:
	// sha1:6e0c5a1a5b1dd1f1b4b1e7e1d7c3a2f0e8d9c4b1 <nil>
	// true true
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
