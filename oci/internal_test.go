package oci

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestTagFilter(t *testing.T) {
	hex := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tags := []string{"v1.0.0", "latest", "sha256-" + hex, "sha256-" + hex + ".sig", "sha256-" + hex + ".att",
		"sha256-" + hex + ".sbom", "app.sig", "v1.2.0", "1.10.0", "sha256-short", "v2.0.0-rc.1"}
	tests := []struct {
		name string
		opts ListTagsOptions
		want []string
	}{
		{"default hides signatures", ListTagsOptions{}, []string{"1.10.0", "latest", "sha256-short", "v1.0.0", "v1.2.0", "v2.0.0-rc.1"}},
		{"semver newest first", ListTagsOptions{Semver: ">=1.0.0"}, []string{"1.10.0", "v1.2.0", "v1.0.0"}},
		{"semver with pre-releases", ListTagsOptions{Semver: ">=2.0.0-0"}, []string{"v2.0.0-rc.1"}},
		{"pattern and semver", ListTagsOptions{Semver: "*", Pattern: `^v`}, []string{"v1.2.0", "v1.0.0"}},
		{"signatures kept", ListTagsOptions{IncludeSignatureTags: true, Pattern: `^sha256-`}, []string{
			"sha256-" + hex, "sha256-" + hex + ".att", "sha256-" + hex + ".sbom", "sha256-" + hex + ".sig", "sha256-short",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			f, err := newTagFilter(tt.opts)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(f.apply(tags)).To(Equal(tt.want))
		})
	}
}

func TestRetryAfter(t *testing.T) {
	g := NewWithT(t)
	d, ok := retryAfter("3")
	g.Expect(ok).To(BeTrue())
	g.Expect(d).To(Equal(3 * time.Second))
	_, ok = retryAfter("")
	g.Expect(ok).To(BeFalse())
	_, ok = retryAfter("soon")
	g.Expect(ok).To(BeFalse())
	d, ok = retryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat))
	g.Expect(ok).To(BeTrue())
	g.Expect(d).To(BeZero())
}

func TestRetryable(t *testing.T) {
	g := NewWithT(t)
	for code, want := range map[int]bool{200: false, 404: false, 429: true, 500: true, 501: false, 502: true, 503: true} {
		g.Expect(retryable(&http.Response{StatusCode: code}, nil)).To(Equal(want), "%d", code)
	}
}
