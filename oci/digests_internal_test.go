package oci

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
)

func TestRegistryDigest(t *testing.T) {
	g := NewWithT(t)
	hex := strings.Repeat("ab", 32)
	d, err := registryDigest("manifest digest", gcrv1.Hash{Algorithm: "sha256", Hex: hex})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d.String()).To(Equal("sha256:" + hex))

	for _, h := range []gcrv1.Hash{{}, {Algorithm: "sha256"}, {Algorithm: "sha256", Hex: strings.ToUpper(hex)}, {Algorithm: "md5", Hex: hex[:32]}} {
		_, err := registryDigest("layer digest", h)
		g.Expect(err).To(MatchError(version.ErrInvalidDigest), "%#v", h)
		var pe *version.ParseError
		g.Expect(errors.As(err, &pe)).To(BeTrue())
		g.Expect(err.Error()).To(HavePrefix("layer digest from registry: "))
	}
}

func TestCheckManifestDigests(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	good := `{"digest":"sha256:` + hex + `"}`
	tests := []struct {
		name  string
		doc   string
		index bool
		ok    bool
	}{
		{name: "manifest", doc: `{"config":` + good + `,"layers":[` + good + `,` + good + `]}`, ok: true},
		{name: "manifest with subject", doc: `{"config":` + good + `,"layers":[],"subject":` + good + `}`, ok: true},
		{name: "index", doc: `{"manifests":[` + good + `]}`, index: true, ok: true},
		{name: "no config", doc: `{"layers":[` + good + `]}`},
		{name: "second layer bad", doc: `{"config":` + good + `,"layers":[` + good + `,{"digest":"sha256:zz"}]}`},
		{name: "bad subject", doc: `{"config":` + good + `,"subject":{"digest":"sha256:"}}`},
		{name: "index entry without digest", doc: `{"manifests":[{}]}`, index: true},
		{name: "index subject bad", doc: `{"manifests":[],"subject":{"digest":"x"}}`, index: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := checkManifestDigests([]byte(tt.doc), tt.index)
			if tt.ok {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(version.ErrInvalidDigest))
		})
	}
	g := NewWithT(t)
	err := checkManifestDigests([]byte(`{"layers":"nope"}`), false)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err).NotTo(MatchError(version.ErrInvalidDigest))
}

func TestCheckDigestHeader(t *testing.T) {
	g := NewWithT(t)
	req := func(method, path string) *http.Request {
		return &http.Request{Method: method, URL: &url.URL{Path: path}}
	}
	resp := func(status int, h string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		if h != "" {
			r.Header.Set("Docker-Content-Digest", h)
		}
		return r
	}
	bad := "sha256:" + strings.Repeat("AB", 32)
	good := "sha256:" + strings.Repeat("ab", 32)
	g.Expect(checkDigestHeader(req(http.MethodHead, "/v2/app/manifests/v1"), resp(http.StatusOK, bad))).To(MatchError(version.ErrInvalidDigest))
	g.Expect(checkDigestHeader(req(http.MethodHead, "/v2/app/manifests/v1"), resp(http.StatusOK, good))).To(Succeed())
	// Left to go-containerregistry: a missing header, other requests and
	// failed responses, whose header it does not read.
	g.Expect(checkDigestHeader(req(http.MethodHead, "/v2/app/manifests/v1"), resp(http.StatusOK, ""))).To(Succeed())
	g.Expect(checkDigestHeader(req(http.MethodGet, "/v2/app/manifests/v1"), resp(http.StatusOK, bad))).To(Succeed())
	g.Expect(checkDigestHeader(req(http.MethodHead, "/v2/app/blobs/"+good), resp(http.StatusOK, bad))).To(Succeed())
	g.Expect(checkDigestHeader(req(http.MethodHead, "/v2/app/manifests/v1"), resp(http.StatusNotFound, bad))).To(Succeed())
}

// FuzzCheckManifestDigests checks that a manifest or index that passes
// checkManifestDigests and parses with go-containerregistry holds only
// digests version.ParseDigest accepts.
func FuzzCheckManifestDigests(f *testing.F) {
	hex := strings.Repeat("ab", 32)
	good := `{"digest":"sha256:` + hex + `"}`
	f.Add([]byte(`{"config":`+good+`,"layers":[`+good+`]}`), false)
	f.Add([]byte(`{"manifests":[`+good+`],"subject":`+good+`}`), true)
	f.Add([]byte(`{"config":{"digest":"sha256:AB"},"layers":[{}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, index bool) {
		if checkManifestDigests(data, index) != nil {
			return
		}
		var hashes []gcrv1.Hash
		if index {
			idx, err := gcrv1.ParseIndexManifest(bytes.NewReader(data))
			if err != nil {
				return
			}
			for _, m := range idx.Manifests {
				hashes = append(hashes, m.Digest)
			}
			if idx.Subject != nil {
				hashes = append(hashes, idx.Subject.Digest)
			}
		} else {
			m, err := gcrv1.ParseManifest(bytes.NewReader(data))
			if err != nil {
				return
			}
			hashes = append(hashes, m.Config.Digest)
			for _, l := range m.Layers {
				hashes = append(hashes, l.Digest)
			}
			if m.Subject != nil {
				hashes = append(hashes, m.Subject.Digest)
			}
		}
		for _, h := range hashes {
			if _, err := registryDigest("fuzz", h); err != nil {
				t.Fatalf("accepted %q, but its digest %q is not valid: %v", data, h, err)
			}
		}
	})
}
