package oci_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// newRegistry starts a TLS registry with a user, closed with the test.
func newRegistry(t *testing.T, opts ...registry.Option) *registry.Registry {
	t.Helper()
	opts = append([]registry.Option{registry.WithTLS(), registry.WithUser("sluice", "s3cret")}, opts...)
	reg, err := registry.New(t.Context(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	return reg
}

// basic returns the registry's credentials as an authenticator.
func basic(reg *registry.Registry) authn.Authenticator {
	c := reg.Credentials()
	return &authn.Basic{Username: c.Username, Password: c.Password}
}

// newClient returns a client that trusts reg's CA and logs in as its user.
func newClient(t *testing.T, reg *registry.Registry, opts ...oci.Option) *oci.Client {
	t.Helper()
	base := []oci.Option{oci.WithRootCAs(reg.CertPool()), oci.WithAuth(basic(reg))}
	c, err := oci.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeTree creates files (path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns the regular files under dir with their content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tarEntry is one member of a hand-made archive.
type tarEntry struct {
	hdr  tar.Header
	body string
}

// tarGz writes entries as a gzip-compressed tar stream without any check,
// the way a hostile producer would.
func tarGz(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := e.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "artifact.tar.gz")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// progressLog records progress reports.
type progressLog struct {
	mu      sync.Mutex
	reports []oci.Progress
}

func (p *progressLog) record(pr oci.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reports = append(p.reports, pr)
}

func (p *progressLog) all() []oci.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]oci.Progress(nil), p.reports...)
}

// faultProxy is a plain-HTTP reverse proxy in front of a plain-HTTP
// registry that injects failures the way an overloaded registry or a
// broken cache would: it answers the first `failures` odd-numbered
// requests with 503 or 429, and can corrupt blob downloads.
type faultProxy struct {
	srv      *httptest.Server
	failures int64
	seen     atomic.Int64
	injected atomic.Int64
	always   atomic.Bool // answer 503 to every request
	corrupt  atomic.Bool // flip a byte of every blob body
}

func newFaultProxy(t *testing.T, reg *registry.Registry, failures int64) *faultProxy {
	t.Helper()
	target, err := url.Parse(reg.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{failures: failures}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // the registry builds upload URLs from it
		},
		ModifyResponse: func(resp *http.Response) error {
			if p.corrupt.Load() && resp.Request.Method == http.MethodGet && strings.Contains(resp.Request.URL.Path, "/blobs/sha256:") && resp.StatusCode == http.StatusOK {
				data, err := io.ReadAll(resp.Body)
				if err != nil {
					return err
				}
				_ = resp.Body.Close()
				if len(data) > 0 {
					data[len(data)/2] ^= 0xff
				}
				resp.Body = io.NopCloser(bytes.NewReader(data))
			}
			return nil
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.seen.Add(1)
		if p.always.Load() || n%2 == 1 && p.injected.Load() < p.failures {
			i := p.injected.Add(1)
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
			}
			if i%2 == 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// host returns the proxy's host:port.
func (p *faultProxy) host() string { return strings.TrimPrefix(p.srv.URL, "http://") }
