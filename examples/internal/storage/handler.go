package storage

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Handler returns an http.Handler serving the stored artifacts read-only:
// GET and HEAD of "/<path>" answer the file at <path> under the root, with
// its Content-Type ("application/gzip" for artifacts), Content-Length,
// Last-Modified and range support. Everything else is refused: other methods
// (405), directories, missing files, paths with "..", a backslash, a NUL byte
// or an element starting with '.' (404, so files being written are never
// served). Files are opened through an os.Root on the storage root, so even a
// symbolic link cannot lead outside it.
//
// Mount it at the path of the base URL given to New, with http.StripPrefix
// when that path is not "/".
func (s *Storage) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Storage) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rel := strings.TrimPrefix(r.URL.Path, "/")
	if !validRelPath(rel) {
		http.NotFound(w, r)
		return
	}
	root, err := os.OpenRoot(s.root)
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusInternalServerError)
		return
	}
	defer func() { _ = root.Close() }()
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		// Missing, outside the root (through a link) or unreadable: all
		// look the same to a client.
		http.NotFound(w, r)
		return
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(rel))
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", info.ModTime(), f)
}

// contentType returns the media type of the file name p.
func contentType(p string) string {
	if strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") {
		return "application/gzip"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}
