package storage_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/examples/internal/storage"
)

// Store a directory as an artifact, serve it, and fetch it back with its
// digest verified.
func Example() {
	ctx := context.Background()
	root, _ := os.MkdirTemp("", "storage")
	defer os.RemoveAll(root)
	src := filepath.Join(root, "src")
	_ = os.MkdirAll(src, 0o755)
	_ = os.WriteFile(filepath.Join(src, "app.yaml"), []byte("kind: ConfigMap\n"), 0o644)

	s, err := storage.New(filepath.Join(root, "artifacts"), "http://source.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := s.Store(ctx, storage.Object{Kind: "GitRepository", Namespace: "default", Name: "app"},
		src, "main@sha1:0123456789abcdef0123456789abcdef01234567", storage.StoreOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Revision)
	fmt.Println(filepath.Dir(a.Path))

	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	a.URL = srv.URL + "/" + a.Path // what the advertised URL points at
	out := filepath.Join(root, "out")
	if err := storage.Fetch(ctx, srv.Client(), a, out); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(filepath.Join(out, "app.yaml"))
	fmt.Print(string(b))
	// Output:
	// main@sha1:0123456789abcdef0123456789abcdef01234567
	// gitrepository/default/app
	// kind: ConfigMap
}
