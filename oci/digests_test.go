package oci_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/testenv/registry"
	"github.com/sluice-dev/sluice/version"
)

// tamperProxy puts a plain-HTTP reverse proxy in front of reg that lets
// tamper rewrite every successful manifest response (GET and HEAD), the way
// a hostile or broken registry would answer. The real registry refuses to
// store malformed digests, so they have to be injected on the way out. It
// returns the proxy's host:port.
func tamperProxy(t *testing.T, reg *registry.Registry, tamper func(t *testing.T, resp *http.Response)) string {
	t.Helper()
	target, err := url.Parse(reg.URL())
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			if tamper != nil && resp.StatusCode == http.StatusOK && strings.Contains(resp.Request.URL.Path, "/manifests/") {
				tamper(t, resp)
			}
			return nil
		},
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// rewriteJSON replaces the body of a GET response with edit applied to its
// JSON, when the document has the key only.
func rewriteJSON(t *testing.T, resp *http.Response, only string, edit func(doc map[string]any)) {
	t.Helper()
	if resp.Request.Method != http.MethodGet {
		return
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
		return
	}
	_ = resp.Body.Close()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Error(err)
		return
	}
	if _, ok := doc[only]; ok {
		edit(doc)
		if data, err = json.Marshal(doc); err != nil {
			t.Error(err)
			return
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
}

// descriptor returns doc[key][i] (or doc[key] when i < 0) as a JSON object.
func descriptor(doc map[string]any, key string, i int) map[string]any {
	if i < 0 {
		d, _ := doc[key].(map[string]any)
		return d
	}
	list, _ := doc[key].([]any)
	d, _ := list[i].(map[string]any)
	return d
}

func TestMalformedRegistryDigests(t *testing.T) {
	reg, err := registry.New(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		t.Fatal(err)
	}

	// An artifact pushed by the Client, and an index over an image made
	// with go-containerregistry, both stored in the real registry.
	src := t.TempDir()
	writeTree(t, src, map[string]string{"app.yaml": "kind: App\n"})
	_, err = c.Push(t.Context(), reg.Ref("hostile/app:v1"), src, oci.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1),
		mutate.Addendum{Layer: static.NewLayer(tarGz(t, tarEntry{hdr: tar.Header{Name: "a.yaml", Typeflag: tar.TypeReg, Mode: 0o644}, body: "a: 1\n"}), types.OCILayer)})
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{Add: img})
	if err := remote.WriteIndex(mustRef(t, reg.Ref("hostile/app:index")), idx, remote.WithTransport(reg.Transport()), remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}

	upper := "sha256:" + strings.Repeat("AB", 32)
	tests := []struct {
		name   string
		tag    string
		tamper func(t *testing.T, resp *http.Response)
		// call runs the verb under test against ref.
		call func(ref string) error
		also error
	}{
		{
			name: "layer digest in uppercase", tag: "v1",
			tamper: func(t *testing.T, resp *http.Response) {
				rewriteJSON(t, resp, "layers", func(doc map[string]any) { descriptor(doc, "layers", 0)["digest"] = upper })
			},
		},
		{
			name: "layer digest missing", tag: "v1",
			tamper: func(t *testing.T, resp *http.Response) {
				rewriteJSON(t, resp, "layers", func(doc map[string]any) { delete(descriptor(doc, "layers", 0), "digest") })
			},
		},
		{
			name: "config digest of an unknown algorithm", tag: "v1", also: version.ErrUnsupportedAlgorithm,
			tamper: func(t *testing.T, resp *http.Response) {
				rewriteJSON(t, resp, "config", func(doc map[string]any) { descriptor(doc, "config", -1)["digest"] = "md5:" + strings.Repeat("a", 32) })
			},
		},
		{
			name: "index entry digest too short", tag: "index",
			tamper: func(t *testing.T, resp *http.Response) {
				rewriteJSON(t, resp, "manifests", func(doc map[string]any) { descriptor(doc, "manifests", 0)["digest"] = "sha256:abc" })
			},
		},
		{
			name: "copy of a manifest with a malformed layer digest", tag: "v1",
			tamper: func(t *testing.T, resp *http.Response) {
				rewriteJSON(t, resp, "layers", func(doc map[string]any) { descriptor(doc, "layers", 0)["digest"] = "sha256:not-hex" })
			},
			call: func(ref string) error {
				_, err := c.Copy(t.Context(), ref, reg.Ref("hostile/copy:v1"))
				return err
			},
		},
		{
			name: "Docker-Content-Digest header of a HEAD", tag: "v1",
			tamper: func(_ *testing.T, resp *http.Response) {
				if resp.Request.Method == http.MethodHead {
					resp.Header.Set("Docker-Content-Digest", upper)
				}
			},
			call: func(ref string) error {
				_, err := c.Resolve(t.Context(), ref)
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ref := tamperProxy(t, reg, tt.tamper) + "/hostile/app:" + tt.tag
			base := t.TempDir()
			call := tt.call
			if call == nil {
				call = func(ref string) error {
					_, err := c.Pull(t.Context(), ref, filepath.Join(base, "out"), oci.PullOptions{})
					return err
				}
			}
			err := call(ref)
			g.Expect(err).To(MatchError(version.ErrInvalidDigest))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(BeTrue(), "%v", err)
			g.Expect(err.Error()).To(ContainSubstring("from registry"))
			if tt.also != nil {
				g.Expect(err).To(MatchError(tt.also))
			}
			entries, _ := os.ReadDir(base)
			g.Expect(entries).To(BeEmpty(), "nothing extracted")
		})
	}

	// The same proxy without tampering: every verb above succeeds, so the
	// failures come from the digests alone.
	t.Run("untampered", func(t *testing.T) {
		g := NewWithT(t)
		host := tamperProxy(t, reg, nil)
		for _, tag := range []string{"v1", "index"} {
			res, err := c.Pull(t.Context(), host+"/hostile/app:"+tag, filepath.Join(t.TempDir(), "out"), oci.PullOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.Revision.Validate()).To(Succeed())
			r, err := c.Resolve(t.Context(), host+"/hostile/app:"+tag)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(r.Revision).To(Equal(res.Revision))
		}
		_, err := c.Copy(t.Context(), host+"/hostile/app:v1", reg.Ref("hostile/copy:v1"))
		g.Expect(err).NotTo(HaveOccurred())
	})
}
