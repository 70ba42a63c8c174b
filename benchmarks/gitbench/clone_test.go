package gitbench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	fluxgit "github.com/fluxcd/pkg/git"
	fluxgogit "github.com/fluxcd/pkg/git/gogit"
	fluxrepo "github.com/fluxcd/pkg/git/repository"

	"github.com/sluice-dev/sluice/benchmarks/internal/measure"
	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// The served fixture, set up once by TestMain.
var (
	repoURL  string
	headHash string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		// Plain `go test` runs no benchmark: skip the costly fixture.
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv, err := gitserver.New(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = srv.Close() }()
	if _, err := srv.CreateRepo(ctx, "bench.git", gitserver.RepoOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	size, err := writeFixture(ctx, filepath.Join(srv.Root(), "bench.git"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if headHash, err = srv.Resolve(ctx, "bench.git", "refs/heads/main"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "fixture: %d commits, %d files, pack %.1f MB, generated in %s\n",
		fixtureCommits, fixtureFiles, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	if err := srv.StartHTTP(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoURL = srv.HTTPURL("bench.git")
	return m.Run()
}

// cloner clones repoURL into dir.
type cloner func(ctx context.Context, dir string) error

func sluiceClone(full bool) cloner {
	return func(ctx context.Context, dir string) error {
		c, err := gogit.NewClient(dir, nil)
		if err != nil {
			return err
		}
		commit, err := c.Clone(ctx, repoURL, git.CloneOptions{FullHistory: full})
		if err != nil {
			return err
		}
		if commit.Hash.Hex != headHash {
			return fmt.Errorf("cloned %s, want %s", commit.Hash.Hex, headHash)
		}
		return nil
	}
}

func fluxClone(full bool) cloner {
	return func(ctx context.Context, dir string) error {
		c, err := fluxgogit.NewClient(dir, &fluxgit.AuthOptions{Transport: fluxgit.HTTP}, fluxgogit.WithDiskStorage())
		if err != nil {
			return err
		}
		defer c.Close()
		commit, err := c.Clone(ctx, repoURL, fluxrepo.CloneConfig{
			CheckoutStrategy: fluxrepo.CheckoutStrategy{Branch: "main"},
			ShallowClone:     !full,
		})
		if err != nil {
			return err
		}
		if commit.Hash.String() != headHash {
			return fmt.Errorf("cloned %s, want %s", commit.Hash.String(), headHash)
		}
		return nil
	}
}

// cliClone runs the git CLI and returns its peak RSS through rss.
func cliClone(full bool, rss *uint64) cloner {
	return func(ctx context.Context, dir string) error {
		args := []string{"clone", "--quiet", "--single-branch", "--no-tags", "--branch", "main"}
		if !full {
			args = append(args, "--depth", "1")
		}
		cmd := exec.CommandContext(ctx, "git", append(args, repoURL, dir)...)
		out, err := cmd.CombinedOutput()
		*rss = max(*rss, measure.MaxRSS(cmd))
		if err != nil {
			return fmt.Errorf("git clone: %w: %s", err, out)
		}
		return nil
	}
}

// benchClone runs clone once per iteration into a fresh folder, removing
// the folder with the timer stopped.
func benchClone(b *testing.B, clone cloner) {
	parent := b.TempDir()
	ctx := b.Context()
	i := 0
	for b.Loop() {
		dir := filepath.Join(parent, fmt.Sprint(i))
		i++
		if err := clone(ctx, dir); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func benchClones(b *testing.B, full bool) {
	b.Run("sluice", func(b *testing.B) {
		s := measure.SampleHeap()
		benchClone(b, sluiceClone(full))
		s.Report(b)
	})
	b.Run("fluxcd", func(b *testing.B) {
		s := measure.SampleHeap()
		benchClone(b, fluxClone(full))
		s.Report(b)
	})
	b.Run("git-cli", func(b *testing.B) {
		var rss uint64
		benchClone(b, cliClone(full, &rss))
		b.ReportMetric(float64(rss)/1e6, "peak-MB")
	})
}

// BenchmarkShallowClone clones the tip of main only.
func BenchmarkShallowClone(b *testing.B) { benchClones(b, false) }

// BenchmarkFullClone clones the whole history of main.
func BenchmarkFullClone(b *testing.B) { benchClones(b, true) }

// BenchmarkNoChange asks whether main still points at the commit a previous
// clone returned; it does, so no clone should happen.
func BenchmarkNoChange(b *testing.B) {
	b.Run("sluice", func(b *testing.B) {
		s := measure.SampleHeap()
		benchClone(b, func(ctx context.Context, dir string) error {
			c, err := gogit.NewClient(dir, nil)
			if err != nil {
				return err
			}
			_, err = c.Clone(ctx, repoURL, git.CloneOptions{LastObservedCommit: "main@sha1:" + headHash})
			if !errors.Is(err, git.ErrNoChange) {
				return fmt.Errorf("want no change, got %w", err)
			}
			return nil
		})
		s.Report(b)
	})
	b.Run("fluxcd", func(b *testing.B) {
		s := measure.SampleHeap()
		benchClone(b, func(ctx context.Context, dir string) error {
			c, err := fluxgogit.NewClient(dir, &fluxgit.AuthOptions{Transport: fluxgit.HTTP}, fluxgogit.WithDiskStorage())
			if err != nil {
				return err
			}
			defer c.Close()
			commit, err := c.Clone(ctx, repoURL, fluxrepo.CloneConfig{
				CheckoutStrategy:   fluxrepo.CheckoutStrategy{Branch: "main"},
				ShallowClone:       true,
				LastObservedCommit: "main@sha1:" + headHash,
			})
			if err != nil {
				return err
			}
			if commit.Hash.String() != headHash {
				return fmt.Errorf("got %s, want %s", commit.Hash.String(), headHash)
			}
			return nil
		})
		s.Report(b)
	})
}
