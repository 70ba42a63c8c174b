package gogit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// Example clones a tag by semver range, then asks again with the commit it
// got: the second call lists the remote references and fetches nothing.
// gitserver makes reproducible commits, so the hashes are stable.
func Example() {
	ctx := context.Background()
	srv, err := gitserver.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = srv.Close() }()
	head, _ := srv.CreateRepo(ctx, "app.git", gitserver.RepoOptions{Files: map[string]string{"README.md": "hello\n"}})
	_, _ = srv.CreateTag(ctx, "app.git", gitserver.TagOptions{Name: "v1.2.3", Target: head, Message: "release"})
	_ = srv.StartGitDaemon(ctx)
	url := srv.GitURL("app.git")

	tmp, _ := os.MkdirTemp("", "example")
	defer func() { _ = os.RemoveAll(tmp) }()

	c, _ := gogit.NewClient(filepath.Join(tmp, "first"), nil)
	commit, err := c.Clone(ctx, url, git.CloneOptions{Reference: git.CheckoutReference{SemVer: "^1"}})
	fmt.Println(commit.Revision().String() == "v1.2.3@sha1:"+head, err)

	c, _ = gogit.NewClient(filepath.Join(tmp, "second"), nil)
	_, err = c.Clone(ctx, url, git.CloneOptions{
		Reference:          git.CheckoutReference{SemVer: "^1"},
		LastObservedCommit: commit.Revision().String(),
	})
	fmt.Println(errors.Is(err, git.ErrNoChange))
	_, statErr := os.Stat(filepath.Join(tmp, "second"))
	fmt.Println(os.IsNotExist(statErr))
	// Output:
	// true <nil>
	// true
	// true
}
