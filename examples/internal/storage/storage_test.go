package storage_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/version"
)

const rev1 = "main@sha1:0123456789abcdef0123456789abcdef01234567"

var testObj = storage.Object{Kind: "GitRepository", Namespace: "team", Name: "app"}

// writeTree writes files (slash path to content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newStorage(t *testing.T, opts ...storage.Option) *storage.Storage {
	t.Helper()
	s, err := storage.New(t.TempDir(), "http://storage.example:9090/", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name    string
		root    string
		baseURL string
		opts    []storage.Option
	}{
		{"empty root", "", "http://x", nil},
		{"relative base URL", t.TempDir(), "/artifacts", nil},
		{"ftp base URL", t.TempDir(), "ftp://x", nil},
		{"base URL with query", t.TempDir(), "http://x/?a=b", nil},
		{"zero retention", t.TempDir(), "http://x", []storage.Option{storage.WithRetention(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := storage.New(tt.root, tt.baseURL, tt.opts...)
			g.Expect(err).To(MatchError(storage.ErrInvalidOption))
		})
	}
}

func TestStoreIsReproducibleAndHonoursIgnores(t *testing.T) {
	g := NewWithT(t)
	s := newStorage(t)
	dir := writeTree(t, map[string]string{
		"deploy/app.yaml":    "kind: ConfigMap\n",
		"deploy/secret.env":  "TOKEN=x\n",
		"docs/README.md":     "hello\n",
		".sourceignore":      "docs/\n",
		".git/HEAD":          "ref: refs/heads/main\n",
		"deploy/keep.tmp":    "tmp\n",
		"deploy/skip/a.yaml": "a: b\n",
	})
	opts := storage.StoreOptions{Ignore: []string{".git", "*.env", "deploy/skip/"}, Metadata: map[string]string{"k": "v"}}
	a, err := s.Store(t.Context(), testObj, dir, rev1, opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.Validate()).To(Succeed())
	g.Expect(a.Revision).To(Equal(rev1))
	hex := strings.TrimPrefix(a.Digest, "sha256:")
	g.Expect(a.Path).To(Equal("gitrepository/team/app/" + hex + ".tar.gz"))
	g.Expect(a.URL).To(Equal("http://storage.example:9090/" + a.Path))
	g.Expect(a.Metadata).To(HaveKeyWithValue("k", "v"))
	g.Expect(a.LastUpdateTime.IsZero()).To(BeFalse())
	info, err := os.Stat(s.LocalPath(a))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.Size).NotTo(BeNil())
	g.Expect(*a.Size).To(Equal(info.Size()))
	g.Expect(s.Has(&a)).To(BeTrue())

	// The same tree gives the same digest and path.
	again, err := s.Store(t.Context(), testObj, dir, rev1, opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again.Digest).To(Equal(a.Digest))
	g.Expect(again.Path).To(Equal(a.Path))

	// The archive holds exactly what the ignore rules let through.
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Open(s.LocalPath(a))
	g.Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	_, err = archive.Extract(t.Context(), f, out, archive.ExtractOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	var got []string
	g.Expect(filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})).To(Succeed())
	g.Expect(got).To(ConsistOf(".sourceignore", "deploy/app.yaml", "deploy/keep.tmp"))

	// No temporary file is left behind.
	entries, err := os.ReadDir(filepath.Dir(s.LocalPath(a)))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(1))
}

func TestStoreKeepsTheNewestArtifacts(t *testing.T) {
	g := NewWithT(t)
	s := newStorage(t, storage.WithRetention(2))
	var arts []meta.Artifact
	for _, v := range []string{"one", "two", "three"} {
		a, err := s.Store(t.Context(), testObj, writeTree(t, map[string]string{"v.txt": v}), rev1, storage.StoreOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		arts = append(arts, a)
		// Modification times must differ for the order to be observable
		// on coarse file systems.
		time.Sleep(10 * time.Millisecond)
	}
	g.Expect(s.Has(&arts[0])).To(BeFalse())
	g.Expect(s.Has(&arts[1])).To(BeTrue())
	g.Expect(s.Has(&arts[2])).To(BeTrue())

	// Storing an old content again makes it the newest: the middle one goes.
	a, err := s.Store(t.Context(), testObj, writeTree(t, map[string]string{"v.txt": "two"}), rev1, storage.StoreOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.Path).To(Equal(arts[1].Path))
	g.Expect(s.Has(&arts[2])).To(BeTrue())

	// Another object's artifacts are untouched by Remove.
	other := storage.Object{Kind: "OCIRepository", Namespace: "team", Name: "app"}
	o, err := s.Store(t.Context(), other, writeTree(t, map[string]string{"v.txt": "x"}), "sha256:"+strings.Repeat("a", 64), storage.StoreOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.Remove(t.Context(), testObj)).To(Succeed())
	g.Expect(s.Has(&arts[1])).To(BeFalse())
	g.Expect(s.Has(&arts[2])).To(BeFalse())
	g.Expect(s.Has(&o)).To(BeTrue())
	g.Expect(s.Remove(t.Context(), testObj)).To(Succeed(), "removing twice is fine")
}

func TestStoreRefusesBadInput(t *testing.T) {
	s := newStorage(t)
	dir := writeTree(t, map[string]string{"a": "b"})
	tests := []struct {
		name     string
		obj      storage.Object
		revision string
		opts     storage.StoreOptions
		want     error
	}{
		{"empty name", storage.Object{Kind: "GitRepository", Namespace: "ns"}, rev1, storage.StoreOptions{}, storage.ErrInvalidObject},
		{"dot-dot namespace", storage.Object{Kind: "GitRepository", Namespace: "..", Name: "x"}, rev1, storage.StoreOptions{}, storage.ErrInvalidObject},
		{"slash in name", storage.Object{Kind: "GitRepository", Namespace: "ns", Name: "a/b"}, rev1, storage.StoreOptions{}, storage.ErrInvalidObject},
		{"legacy revision", testObj, "main/0123456789abcdef0123456789abcdef01234567", storage.StoreOptions{}, meta.ErrInvalidRevision},
		{"bad pattern", testObj, rev1, storage.StoreOptions{Ignore: []string{"[a-"}}, archive.ErrInvalidPattern},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := s.Store(t.Context(), tt.obj, dir, tt.revision, tt.opts)
			g.Expect(err).To(MatchError(tt.want))
		})
	}
	g := NewWithT(t)
	g.Expect(s.Remove(t.Context(), storage.Object{Kind: "x", Namespace: "..", Name: "y"})).To(MatchError(storage.ErrInvalidObject))
	entries, err := os.ReadDir(filepath.Join(s.Root(), "gitrepository", "team", "app"))
	if err == nil {
		g.Expect(entries).To(BeEmpty(), "a failed store leaves nothing behind")
	}
}

func TestStoreHonoursContext(t *testing.T) {
	g := NewWithT(t)
	s := newStorage(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Store(ctx, testObj, writeTree(t, map[string]string{"a": "b"}), rev1, storage.StoreOptions{})
	g.Expect(err).To(MatchError(context.Canceled))
}

// serveReq runs one request through the handler.
func serveReq(s *storage.Storage, method, rawPath string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := &http.Request{Method: method, URL: &url.URL{Path: rawPath}, Header: http.Header{}}
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func TestHandlerServesArtifactsReadOnly(t *testing.T) {
	g := NewWithT(t)
	s := newStorage(t)
	a, err := s.Store(t.Context(), testObj, writeTree(t, map[string]string{"a.yaml": "a: b\n"}), rev1, storage.StoreOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	content, err := os.ReadFile(s.LocalPath(a))
	g.Expect(err).NotTo(HaveOccurred())

	rec := serveReq(s, http.MethodGet, "/"+a.Path)
	g.Expect(rec.Code).To(Equal(http.StatusOK))
	g.Expect(rec.Header().Get("Content-Type")).To(Equal("application/gzip"))
	g.Expect(rec.Header().Get("Content-Length")).To(Equal(strconv.Itoa(len(content))))
	g.Expect(rec.Body.Bytes()).To(Equal(content))

	rec = serveReq(s, http.MethodHead, "/"+a.Path)
	g.Expect(rec.Code).To(Equal(http.StatusOK))
	g.Expect(rec.Body.Len()).To(BeZero())

	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec = serveReq(s, m, "/"+a.Path)
		g.Expect(rec.Code).To(Equal(http.StatusMethodNotAllowed), m)
		g.Expect(rec.Header().Get("Allow")).To(Equal("GET, HEAD"))
	}
	g.Expect(s.Has(&a)).To(BeTrue())
}

func TestHandlerRefusesHostilePaths(t *testing.T) {
	g := NewWithT(t)
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	g.Expect(os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("secret"), 0o600)).To(Succeed())
	s, err := storage.New(root, "http://x")
	g.Expect(err).NotTo(HaveOccurred())
	a, err := s.Store(t.Context(), testObj, writeTree(t, map[string]string{"a": "b"}), rev1, storage.StoreOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	objDir := filepath.Dir(s.LocalPath(a))
	// A link inside the root pointing out of it, and a file being written.
	g.Expect(os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(objDir, "escape.tar.gz"))).To(Succeed())
	g.Expect(os.Symlink("../../../../secret.txt", filepath.Join(objDir, "rel.tar.gz"))).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(objDir, ".tmp-1.tar.gz"), []byte("partial"), 0o644)).To(Succeed())

	for _, p := range []string{
		"/../secret.txt",
		"/gitrepository/../../secret.txt",
		"/gitrepository/team/app/../../../../secret.txt",
		"/gitrepository/team/app/escape.tar.gz",
		"/gitrepository/team/app/rel.tar.gz",
		"/gitrepository/team/app/.tmp-1.tar.gz",
		"/gitrepository/team/app/",
		"/gitrepository/team/app",
		"/",
		"",
		"//secret.txt",
		"/" + filepath.Join(parent, "secret.txt"),
		"/gitrepository\\..\\..\\secret.txt",
		"/gitrepository/team/app/x\x00.tar.gz",
		"/./gitrepository/team/app/" + filepath.Base(a.Path),
		"/gitrepository//team/app/" + filepath.Base(a.Path),
	} {
		rec := serveReq(s, http.MethodGet, p)
		g.Expect(rec.Code).To(Equal(http.StatusNotFound), "path %q", p)
		g.Expect(rec.Body.String()).NotTo(ContainSubstring("secret"), "path %q", p)
	}

	// Through a real server, encoded dot-dot segments decode to the same
	// refused paths.
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for _, p := range []string{"/%2e%2e/secret.txt", "/gitrepository/%2e%2e/%2e%2e/secret.txt", "/gitrepository%2f..%2f..%2fsecret.txt"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+p, nil)
		g.Expect(err).NotTo(HaveOccurred())
		resp, err := srv.Client().Do(req)
		g.Expect(err).NotTo(HaveOccurred())
		_ = resp.Body.Close()
		g.Expect(resp.StatusCode).To(BeNumerically(">=", 400), "path %q", p)
	}
}

func TestFetch(t *testing.T) {
	s := newStorage(t)
	src := writeTree(t, map[string]string{"deploy/a.yaml": "a: b\n"})
	a, err := s.Store(t.Context(), testObj, src, rev1, storage.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	served := a
	served.URL = srv.URL + "/" + a.Path

	t.Run("extracts and verifies", func(t *testing.T) {
		g := NewWithT(t)
		out := filepath.Join(t.TempDir(), "out")
		g.Expect(storage.Fetch(t.Context(), srv.Client(), served, out)).To(Succeed())
		b, err := os.ReadFile(filepath.Join(out, "deploy", "a.yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(b)).To(Equal("a: b\n"))
	})
	t.Run("digest mismatch leaves nothing", func(t *testing.T) {
		g := NewWithT(t)
		bad := served
		bad.Digest = "sha256:" + strings.Repeat("0", 64)
		out := filepath.Join(t.TempDir(), "out")
		err := storage.Fetch(t.Context(), nil, bad, out)
		g.Expect(err).To(MatchError(version.ErrDigestMismatch))
		var dm *version.DigestMismatchError
		g.Expect(errors.As(err, &dm)).To(BeTrue())
		g.Expect(out).NotTo(BeAnExistingFile())
	})
	t.Run("target not empty", func(t *testing.T) {
		g := NewWithT(t)
		out := writeTree(t, map[string]string{"existing": "x"})
		g.Expect(storage.Fetch(t.Context(), nil, served, out)).To(MatchError(archive.ErrTargetNotEmpty))
	})
	t.Run("missing artifact", func(t *testing.T) {
		g := NewWithT(t)
		gone := served
		gone.URL = srv.URL + "/gitrepository/team/app/missing.tar.gz"
		err := storage.Fetch(t.Context(), nil, gone, filepath.Join(t.TempDir(), "out"))
		var fe *storage.FetchError
		g.Expect(errors.As(err, &fe)).To(BeTrue())
		g.Expect(fe.StatusCode).To(Equal(http.StatusNotFound))
		g.Expect(err).To(MatchError(storage.ErrUnexpectedStatus))
	})
	t.Run("invalid artifacts", func(t *testing.T) {
		g := NewWithT(t)
		noURL := served
		noURL.URL = ""
		g.Expect(storage.Fetch(t.Context(), nil, noURL, t.TempDir())).To(MatchError(storage.ErrInvalidArtifact))
		badDigest := served
		badDigest.Digest = "md5:abc"
		g.Expect(storage.Fetch(t.Context(), nil, badDigest, t.TempDir())).To(MatchError(storage.ErrInvalidArtifact))
	})
	t.Run("hostile archive is refused", func(t *testing.T) {
		g := NewWithT(t)
		// A server that answers a valid gzip stream holding a tar entry
		// escaping the target; the digest matches, the content does not pass.
		body := hostileArchive(t)
		h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
		defer h.Close()
		out := filepath.Join(t.TempDir(), "out")
		err := storage.Fetch(t.Context(), nil, meta.Artifact{URL: h.URL + "/x.tar.gz", Digest: sha256Of(body)}, out)
		g.Expect(err).To(MatchError(archive.ErrPathTraversal))
		g.Expect(out).NotTo(BeAnExistingFile())
	})
	t.Run("credentials stay out of errors", func(t *testing.T) {
		g := NewWithT(t)
		secretURL := served
		secretURL.URL = "http://user:hunter2@127.0.0.1:1/x.tar.gz?token=hunter2"
		err := storage.Fetch(t.Context(), nil, secretURL, filepath.Join(t.TempDir(), "out"))
		g.Expect(err).To(HaveOccurred())
		g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
	})
	t.Run("context bounds the download", func(t *testing.T) {
		g := NewWithT(t)
		block := make(chan struct{})
		h := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}))
		defer h.Close()
		defer close(block)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		err := storage.Fetch(ctx, nil, meta.Artifact{URL: h.URL + "/x.tar.gz", Digest: served.Digest}, filepath.Join(t.TempDir(), "out"))
		g.Expect(err).To(MatchError(context.DeadlineExceeded))
	})
}
