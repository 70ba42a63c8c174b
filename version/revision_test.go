package version_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/onsi/gomega"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

var (
	sha1Hex   = "0123456789abcdef0123456789abcdef01234567"
	sha1Hex2  = "fedcba9876543210fedcba9876543210fedcba98"
	sha256Hex = strings.Repeat("0123456789abcdef", 4)
	sha384Hex = strings.Repeat("0123456789abcdef", 6)
	sha512Hex = strings.Repeat("0123456789abcdef", 8)
)

func TestParseRevision(t *testing.T) {
	tests := []struct {
		in   string
		want version.Revision
	}{
		{"main@sha1:" + sha1Hex, version.Revision{Pointer: "main", Algorithm: version.SHA1, Hex: sha1Hex}},
		{"v1.2.3@sha256:" + sha256Hex, version.Revision{Pointer: "v1.2.3", Algorithm: version.SHA256, Hex: sha256Hex}},
		{"refs/pull/1/head@sha1:" + sha1Hex, version.Revision{Pointer: "refs/pull/1/head", Algorithm: version.SHA1, Hex: sha1Hex}},
		{"latest@sha256:" + sha256Hex, version.Revision{Pointer: "latest", Algorithm: version.SHA256, Hex: sha256Hex}},
		{"sha256:" + sha256Hex, version.Revision{Algorithm: version.SHA256, Hex: sha256Hex}},
		{"sha1:" + sha1Hex, version.Revision{Algorithm: version.SHA1, Hex: sha1Hex}},
		{"v1@sha384:" + sha384Hex, version.Revision{Pointer: "v1", Algorithm: version.SHA384, Hex: sha384Hex}},
		{"v1@sha512:" + sha512Hex, version.Revision{Pointer: "v1", Algorithm: version.SHA512, Hex: sha512Hex}},
		// The pointer is everything before the last '@'.
		{"feature@home@sha1:" + sha1Hex, version.Revision{Pointer: "feature@home", Algorithm: version.SHA1, Hex: sha1Hex}},
		{"weird:tag@sha1:" + sha1Hex, version.Revision{Pointer: "weird:tag", Algorithm: version.SHA1, Hex: sha1Hex}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			r, err := version.ParseRevision(tt.in)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(r).To(gomega.Equal(tt.want))
			g.Expect(r.String()).To(gomega.Equal(tt.in))
			g.Expect(r.Validate()).To(gomega.Succeed())
			g.Expect(r.IsZero()).To(gomega.BeFalse())
			g.Expect(string(r.Digest())).To(gomega.Equal(string(tt.want.Algorithm) + ":" + tt.want.Hex))
		})
	}
}

func TestParseRevisionErrors(t *testing.T) {
	tests := []struct {
		in          string
		reason      string
		unsupported bool
	}{
		{"", "empty revision", false},
		{"@sha1:" + sha1Hex, "empty named pointer", false},
		{"main@" + sha1Hex, "missing \"<algorithm>:\"", false},
		{sha1Hex, "missing \"<algorithm>:\"", false},
		{"main/" + sha1Hex, "missing \"<algorithm>:\"", false},
		{"main@:" + sha1Hex, "empty algorithm", false},
		{"main@md5:" + sha1Hex, "algorithm \"md5\" not one of", true},
		{"main@blake3:" + sha256Hex, "algorithm \"blake3\"", true},
		{"main@SHA1:" + sha1Hex, "algorithm \"SHA1\"", true},
		{"main@sha1:" + sha256Hex, "sha1 wants 40 hex characters, got 64", false},
		{"main@sha256:" + sha1Hex, "sha256 wants 64 hex characters, got 40", false},
		{"main@sha1:" + strings.ToUpper(sha1Hex), "not lowercase hexadecimal", false},
		{"main@sha1:" + sha1Hex[:39] + "g", "not lowercase hexadecimal", false},
		{"my branch@sha1:" + sha1Hex, "space or control character", false},
		{"main\n@sha1:" + sha1Hex, "space or control character", false},
		{"main@sha1:" + sha1Hex + "@x", "missing \"<algorithm>:\"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			_, err := version.ParseRevision(tt.in)
			g.Expect(err).To(gomega.MatchError(version.ErrInvalidRevision))
			g.Expect(errors.Is(err, version.ErrUnsupportedAlgorithm)).To(gomega.Equal(tt.unsupported))
			g.Expect(err.Error()).To(gomega.ContainSubstring(tt.reason))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
			g.Expect(pe.Input).To(gomega.Equal(tt.in))
			g.Expect(pe.Expected).To(gomega.ContainSubstring("<pointer>@<algorithm>:<hex>"))
		})
	}
}

func TestRevisionSameDigest(t *testing.T) {
	g := gomega.NewWithT(t)
	main := version.Revision{Pointer: "main", Algorithm: version.SHA1, Hex: sha1Hex}
	tag := version.Revision{Pointer: "v1", Algorithm: version.SHA1, Hex: sha1Hex}
	bare := version.Revision{Algorithm: version.SHA1, Hex: sha1Hex}
	other := version.Revision{Pointer: "main", Algorithm: version.SHA1, Hex: sha1Hex2}
	g.Expect(main.SameDigest(tag)).To(gomega.BeTrue())
	g.Expect(main.SameDigest(bare)).To(gomega.BeTrue())
	g.Expect(main == tag).To(gomega.BeFalse())
	g.Expect(main.SameDigest(other)).To(gomega.BeFalse())
	g.Expect(main.SameDigest(version.Revision{Pointer: "main", Algorithm: version.SHA256, Hex: sha1Hex})).To(gomega.BeFalse())
}

func TestRevisionZeroAndValidate(t *testing.T) {
	g := gomega.NewWithT(t)
	var zero version.Revision
	g.Expect(zero.IsZero()).To(gomega.BeTrue())
	g.Expect(zero.String()).To(gomega.BeEmpty())
	g.Expect(zero.Validate()).To(gomega.MatchError(version.ErrInvalidRevision))

	// Fields that only look valid once joined are rejected.
	tricky := version.Revision{Algorithm: digest.Algorithm("main@sha1"), Hex: sha1Hex}
	g.Expect(tricky.Validate()).To(gomega.MatchError(gomega.ContainSubstring("do not round-trip")))
	g.Expect(tricky.Validate()).To(gomega.MatchError(version.ErrInvalidRevision))

	g.Expect(version.Revision{Pointer: "main", Algorithm: version.SHA1, Hex: "abc"}.Validate()).To(gomega.MatchError(version.ErrInvalidRevision))
}

func TestRevisionDigestInteropWithGoDigest(t *testing.T) {
	g := gomega.NewWithT(t)
	r := version.Revision{Pointer: "latest", Algorithm: version.SHA256, Hex: sha256Hex}
	g.Expect(r.Digest().Validate()).To(gomega.Succeed())
	// A Git SHA-1 is not something go-digest can verify.
	g.Expect(version.Revision{Algorithm: version.SHA1, Hex: sha1Hex}.Digest().Validate()).To(gomega.MatchError(digest.ErrDigestUnsupported))
}
