package archive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/oci/archive"
)

func Example() {
	ctx := context.Background()
	src, _ := os.MkdirTemp("", "example-src-")
	defer func() { _ = os.RemoveAll(src) }()
	_ = os.WriteFile(filepath.Join(src, "deploy.yaml"), []byte("kind: Deployment\n"), 0o644)
	_ = os.WriteFile(filepath.Join(src, "notes.md"), []byte("not shipped\n"), 0o644)

	var buf bytes.Buffer
	sum, err := archive.Build(ctx, src, &buf, archive.BuildOptions{Ignore: []string{"*.md"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("files:", sum.Files)

	dst, _ := os.MkdirTemp("", "example-dst-")
	defer func() { _ = os.RemoveAll(dst) }()
	out := filepath.Join(dst, "out")
	if _, err := archive.Extract(ctx, &buf, out, archive.ExtractOptions{Digest: sum.Digest}); err != nil {
		fmt.Println(err)
		return
	}
	data, _ := os.ReadFile(filepath.Join(out, "deploy.yaml"))
	fmt.Print(string(data))
	// Output:
	// files: 1
	// kind: Deployment
}

func ExampleMatcher() {
	m, _ := archive.NewMatcher("*.log", "!important.log", "/build/")
	fmt.Println(m.Match("logs/debug.log", false))
	fmt.Println(m.Match("important.log", false))
	fmt.Println(m.Match("build/out.bin", false))
	fmt.Println(m.Match("src/build/out.bin", false))
	// Output:
	// true
	// false
	// true
	// false
}

func ExampleExtractError() {
	// An archive from an untrusted registry, holding "../evil".
	hostile := hostileArchive()
	dst, _ := os.MkdirTemp("", "example-")
	defer func() { _ = os.RemoveAll(dst) }()
	_, err := archive.Extract(context.Background(), bytes.NewReader(hostile), filepath.Join(dst, "out"), archive.ExtractOptions{})
	var ee *archive.ExtractError
	if errors.As(err, &ee) {
		fmt.Println(ee.Name, errors.Is(err, archive.ErrPathTraversal))
	}
	// Output:
	// ../evil true
}
