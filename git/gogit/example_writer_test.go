package gogit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
)

func ExampleClient_Commit() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "example-")
	defer func() { _ = os.RemoveAll(tmp) }()

	c, _ := gogit.NewClient(filepath.Join(tmp, "repo"), nil)
	_ = c.Init(ctx, "https://example.com/org/fleet.git", git.InitOptions{})
	opts := git.CommitOptions{
		Message: "add app\n",
		Author:  git.Signature{Name: "Bot", Email: "bot@example.com", When: time.Unix(1704067200, 0).UTC()},
		Files:   map[string][]byte{"apps/app.yaml": []byte("kind: App\n")},
	}
	commit, err := c.Commit(ctx, opts)
	fmt.Println(commit.Revision(), err)

	// The same content again records nothing; c.Push(ctx, git.PushOptions{})
	// would send main to origin.
	_, err = c.Commit(ctx, opts)
	fmt.Println(errors.Is(err, git.ErrEmptyCommit))
	// Output:
	// main@sha1:3ca46a0604b5503cce78b9d283933e6f261b8137 <nil>
	// true
}
