package storage_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/examples/internal/storage"
)

// FuzzHandlerPath checks that whatever path a client asks for, the handler
// serves nothing but the one stored artifact: never a file outside the root
// (a sibling file and a link to it are planted), never a file being written.
func FuzzHandlerPath(f *testing.F) {
	for _, seed := range []string{
		"/gitrepository/team/app/x.tar.gz", "/../secret.txt", "/gitrepository/team/app/link.tar.gz",
		"/gitrepository/team/app/.tmp-1.tar.gz", "//secret.txt", "/./x", "/a/../b", "\x00", "/gitrepository\\..\\secret.txt",
	} {
		f.Add(seed)
	}
	parent := f.TempDir()
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("secret"), 0o600); err != nil {
		f.Fatal(err)
	}
	s, err := storage.New(filepath.Join(parent, "root"), "http://x")
	if err != nil {
		f.Fatal(err)
	}
	src := f.TempDir()
	if err := os.WriteFile(filepath.Join(src, "a"), []byte("b"), 0o644); err != nil {
		f.Fatal(err)
	}
	a, err := s.Store(f.Context(), testObj, src, rev1, storage.StoreOptions{})
	if err != nil {
		f.Fatal(err)
	}
	objDir := filepath.Dir(s.LocalPath(a))
	if err := os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(objDir, "link.tar.gz")); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(objDir, ".tmp-1.tar.gz"), []byte("secret"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rec := serveReq(s, http.MethodGet, p)
		switch rec.Code {
		case http.StatusOK:
			if p != "/"+a.Path {
				t.Fatalf("served %q, only %q may be", p, "/"+a.Path)
			}
		case http.StatusNotFound:
		default:
			t.Fatalf("path %q: status %d", p, rec.Code)
		}
	})
}
