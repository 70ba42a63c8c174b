package gogit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// ExampleClient_LsRemote lists the tags of a repository, with the commit an
// annotated tag points to.
func ExampleClient_LsRemote() {
	ctx := context.Background()
	srv, err := gitserver.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = srv.Close() }()
	head, _ := srv.CreateRepo(ctx, "app.git", gitserver.RepoOptions{Files: map[string]string{"README.md": "hello\n"}})
	_, _ = srv.CreateTag(ctx, "app.git", gitserver.TagOptions{Name: "v1.0.0", Target: head, Message: "release"})
	_, _ = srv.CreateTag(ctx, "app.git", gitserver.TagOptions{Name: "v0.9.0", Target: head})
	_ = srv.StartGitDaemon(ctx)

	tmp, _ := os.MkdirTemp("", "example")
	defer func() { _ = os.RemoveAll(tmp) }()
	c, _ := gogit.NewClient(filepath.Join(tmp, "unused"), nil)
	refs, err := c.LsRemote(ctx, srv.GitURL("app.git"), git.LsRemoteOptions{Prefixes: []string{"HEAD", "refs/tags/"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range refs {
		fmt.Println(r.Name, r.Target, r.Commit().Hex == head, !r.Peeled.IsZero())
	}
	// Output:
	// HEAD refs/heads/main true false
	// refs/tags/v0.9.0  true false
	// refs/tags/v1.0.0  true true
}

// ExampleWithProgress clones with a progress callback, as a command line
// tool would to draw bars, and a sparse checkout of one directory.
func ExampleWithProgress() {
	ctx := context.Background()
	srv, err := gitserver.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = srv.Close() }()
	_, _ = srv.CreateRepo(ctx, "app.git", gitserver.RepoOptions{Files: map[string]string{
		"deploy/prod/app.yaml": "prod\n", "deploy/dev/app.yaml": "dev\n",
	}})
	_ = srv.StartGitDaemon(ctx)

	tmp, _ := os.MkdirTemp("", "example")
	defer func() { _ = os.RemoveAll(tmp) }()
	done := map[string]bool{}
	c, _ := gogit.NewClient(filepath.Join(tmp, "app"), nil, gogit.WithProgress(func(p git.Progress) {
		if p.Done {
			done[p.Phase] = true
		}
	}))
	_, err = c.Clone(ctx, srv.GitURL("app.git"), git.CloneOptions{SparseDirectories: []string{"deploy/prod"}})
	fmt.Println(err, done["Counting objects"])
	_, err = os.Stat(filepath.Join(tmp, "app", "deploy", "dev"))
	fmt.Println(os.IsNotExist(err))
	// Output:
	// <nil> true
	// true
}
