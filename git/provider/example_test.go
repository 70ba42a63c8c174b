package provider_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/git/provider"
)

// A token never goes over plain HTTP unless the caller allows it.
func ExampleNew() {
	_, err := provider.New(context.Background(), provider.KindGitLab, "http://gitlab.internal", "glpat-example")
	fmt.Println(errors.Is(err, provider.ErrInsecureHTTP))

	c, err := provider.New(context.Background(), provider.KindGitLab, "http://gitlab.internal", "glpat-example",
		provider.WithInsecureHTTP())
	fmt.Println(c.Kind(), err)
	// Output:
	// true
	// gitlab <nil>
}

func ExampleParseKind() {
	k, err := provider.ParseKind("stash")
	fmt.Println(k, err)
	_, err = provider.ParseKind("bitbucket")
	fmt.Println(errors.Is(err, provider.ErrUnsupportedProvider))
	// Output:
	// bitbucket-server <nil>
	// true
}
