package gitbench

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Shape of the generated repository.
const (
	fixtureCommits   = 5000
	fixtureFiles     = 2000
	fixtureFileSize  = 8 << 10 // bytes of base64 text per file
	changesPerCommit = 3
)

// writeFixture fills the empty bare repository gitDir with a deterministic
// history through git fast-import, repacks it into one pack and returns the
// pack's size in bytes.
func writeFixture(ctx context.Context, gitDir string) (int64, error) {
	cmd := exec.CommandContext(ctx, "git", "fast-import", "--quiet")
	cmd.Dir = gitDir
	cmd.Env = append(os.Environ(), "GIT_DIR="+gitDir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	werr := fastImportStream(stdin)
	cerr := stdin.Close()
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("git fast-import: %w: %s", err, stderr.String())
	}
	if werr != nil {
		return 0, werr
	}
	if cerr != nil {
		return 0, cerr
	}
	repack := exec.CommandContext(ctx, "git", "repack", "-a", "-d", "-f", "-q", "--window=10", "--depth=50")
	repack.Env = append(os.Environ(), "GIT_DIR="+gitDir)
	if out, err := repack.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("git repack: %w: %s", err, out)
	}
	packs, err := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "*.pack"))
	if err != nil {
		return 0, err
	}
	var size int64
	for _, p := range packs {
		fi, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		size += fi.Size()
	}
	return size, nil
}

// fastImportStream writes the history: a first commit with every file, then
// commits that each rewrite a few lines of changesPerCommit files.
func fastImportStream(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // deterministic fixture content
	raw := make([]byte, fixtureFileSize*3/4)
	files := make([][]byte, fixtureFiles)
	for i := range files {
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		files[i] = []byte(wrap(base64.StdEncoding.EncodeToString(raw)))
	}
	for c := range fixtureCommits {
		fmt.Fprintf(bw, "commit refs/heads/main\nmark :%d\n", c+1)
		fmt.Fprintf(bw, "author Bench <bench@example.com> %d +0000\n", 1700000000+c)
		fmt.Fprintf(bw, "committer Bench <bench@example.com> %d +0000\n", 1700000000+c)
		msg := fmt.Sprintf("change %d", c)
		fmt.Fprintf(bw, "data %d\n%s\n", len(msg), msg)
		if c > 0 {
			fmt.Fprintf(bw, "from :%d\n", c)
		}
		touched := map[int]bool{}
		if c == 0 {
			for i := range files {
				touched[i] = true
			}
		} else {
			for range changesPerCommit {
				i := rng.IntN(fixtureFiles)
				f := files[i]
				line := rng.IntN(len(f) / 77)
				copy(f[line*77:line*77+8], fmt.Sprintf("%08d", c))
				touched[i] = true
			}
		}
		for i := range fixtureFiles {
			if !touched[i] {
				continue
			}
			fmt.Fprintf(bw, "M 100644 inline %s\ndata %d\n", fixturePath(i), len(files[i]))
			if _, err := bw.Write(files[i]); err != nil {
				return err
			}
			_ = bw.WriteByte('\n') // a bufio.Writer's error sticks; Flush reports it
		}
		_ = bw.WriteByte('\n')
	}
	return bw.Flush()
}

// fixturePath spreads the files over 40 directories.
func fixturePath(i int) string {
	return fmt.Sprintf("dir%02d/file%04d.txt", i%40, i)
}

// wrap breaks s into lines of 76 characters.
func wrap(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}
