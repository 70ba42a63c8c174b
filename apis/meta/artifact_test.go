package meta_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

func hex(n int) string { return strings.Repeat("0123456789abcdef", 8)[:n] }

var (
	sha1Hex   = "sha1:" + hex(40)
	sha256Hex = "sha256:" + hex(64)
	sha384Hex = "sha384:" + hex(96)
	sha512Hex = "sha512:" + hex(128)
)

func TestValidateRevision(t *testing.T) {
	revisionRE := regexp.MustCompile(meta.RevisionPattern)
	tests := []struct {
		name     string
		revision string
		reason   string // empty for a valid revision
	}{
		{"sha1", sha1Hex, ""},
		{"sha256", sha256Hex, ""},
		{"sha384", sha384Hex, ""},
		{"sha512", sha512Hex, ""},
		{"branch pointer", "main@" + sha1Hex, ""},
		{"ref pointer", "refs/heads/main@" + sha1Hex, ""},
		{"tag pointer sha256", "v1.2.3@" + sha256Hex, ""},
		{"pointer holding @ splits on the last", "user@example.com@" + sha512Hex, ""},
		{"pointer looking like a digest", sha256Hex + "@" + sha256Hex, ""},
		{"unicode pointer", "feature/ü@" + sha384Hex, ""},

		{"empty", "", "empty"},
		{"pointer only", "main", "want <algorithm>:<hex>"},
		{"empty pointer", "@" + sha1Hex, "empty pointer before '@'"},
		{"empty digest after @", "main@", "empty"},
		{"trailing @", "main@" + sha1Hex + "@", "empty"},
		{"digest before pointer", sha1Hex + "@main", "want <algorithm>:<hex>"},
		{"missing colon", "main@sha1", "want <algorithm>:<hex>"},
		{"unknown algorithm", "md5:" + hex(32), `unsupported algorithm "md5"`},
		{"uppercase algorithm", "SHA256:" + hex(64), `unsupported algorithm "SHA256"`},
		{"uppercase hex", "sha256:" + strings.ToUpper(hex(64)), "hex holds a character outside [0-9a-f]"},
		{"non-hex", "sha256:" + strings.Repeat("g", 64), "hex holds a character outside [0-9a-f]"},
		{"empty hex", "sha256:", "sha256 wants 64 hex characters, got 0"},
		{"short hex", "sha256:" + hex(63), "sha256 wants 64 hex characters, got 63"},
		{"long hex", "sha256:" + hex(65), "sha256 wants 64 hex characters, got 65"},
		{"sha1 with sha256 length", "sha1:" + hex(64), "sha1 wants 40 hex characters, got 64"},
		{"space in pointer", "my branch@" + sha1Hex, "pointer holds a space or control character"},
		{"newline in pointer", "main\n@" + sha1Hex, "pointer holds a space or control character"},
		{"DEL in pointer", "main\x7f@" + sha1Hex, "pointer holds a space or control character"},
		{"trailing newline", "main@" + sha1Hex + "\n", "sha1 wants 40 hex characters, got 41"},
		{"leading space", " " + sha1Hex, `unsupported algorithm " sha1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := meta.ValidateRevision(tt.revision)
			g.Expect(revisionRE.MatchString(tt.revision)).To(Equal(tt.reason == ""), "RevisionPattern disagrees with ValidateRevision")
			if tt.reason == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(meta.ErrInvalidRevision))
			var ae *meta.ArtifactError
			g.Expect(errors.As(err, &ae)).To(BeTrue())
			g.Expect(ae.Field).To(Equal("revision"))
			g.Expect(ae.Value).To(Equal(tt.revision))
			g.Expect(ae.Reason).To(Equal(tt.reason))
		})
	}
}

func TestValidateDigest(t *testing.T) {
	digestRE := regexp.MustCompile(meta.DigestPattern)
	tests := []struct {
		name   string
		digest string
		reason string // empty for a valid digest
	}{
		{"sha256", sha256Hex, ""},
		{"sha384", sha384Hex, ""},
		{"sha512", sha512Hex, ""},

		{"empty", "", "empty"},
		{"sha1 refused", sha1Hex, "sha1 is not allowed, use sha256, sha384 or sha512"},
		{"pointer refused", "main@" + sha256Hex, `unsupported algorithm "main@sha256"`},
		{"no algorithm", hex(64), "want <algorithm>:<hex>"},
		{"unknown algorithm", "sha224:" + hex(56), `unsupported algorithm "sha224"`},
		{"uppercase hex", "sha512:" + strings.ToUpper(hex(128)), "hex holds a character outside [0-9a-f]"},
		{"short hex", "sha384:" + hex(95), "sha384 wants 96 hex characters, got 95"},
		{"sha256 with sha512 length", "sha256:" + hex(128), "sha256 wants 64 hex characters, got 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := meta.ValidateDigest(tt.digest)
			g.Expect(digestRE.MatchString(tt.digest)).To(Equal(tt.reason == ""), "DigestPattern disagrees with ValidateDigest")
			if tt.reason == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(meta.ErrInvalidDigest))
			var ae *meta.ArtifactError
			g.Expect(errors.As(err, &ae)).To(BeTrue())
			g.Expect(ae.Field).To(Equal("digest"))
			g.Expect(ae.Value).To(Equal(tt.digest))
			g.Expect(ae.Reason).To(Equal(tt.reason))
		})
	}
}

func validArtifact() *meta.Artifact {
	size := int64(1024)
	return &meta.Artifact{
		Revision:       "main@" + sha1Hex,
		Digest:         sha256Hex,
		URL:            "http://source-controller.sluice-system.svc/gitrepository/default/app/" + hex(40) + ".tar.gz",
		Path:           "gitrepository/default/app/" + hex(40) + ".tar.gz",
		Size:           &size,
		LastUpdateTime: metav1.Now(),
	}
}

func TestArtifactValidate(t *testing.T) {
	t.Run("valid", func(t *testing.T) {
		NewWithT(t).Expect(validArtifact().Validate()).To(Succeed())
	})
	t.Run("nil artifact is valid", func(t *testing.T) {
		var a *meta.Artifact
		NewWithT(t).Expect(a.Validate()).To(Succeed())
	})
	t.Run("unknown size is valid", func(t *testing.T) {
		a := validArtifact()
		a.Size = nil
		NewWithT(t).Expect(a.Validate()).To(Succeed())
	})
	t.Run("bad revision", func(t *testing.T) {
		g := NewWithT(t)
		a := validArtifact()
		a.Revision = "main"
		err := a.Validate()
		g.Expect(err).To(MatchError(meta.ErrInvalidRevision))
		g.Expect(err).NotTo(MatchError(meta.ErrInvalidDigest))
		g.Expect(err).To(MatchError(`validate artifact revision "main": want <algorithm>:<hex>: invalid revision`))
	})
	t.Run("bad digest", func(t *testing.T) {
		g := NewWithT(t)
		a := validArtifact()
		a.Digest = sha1Hex
		err := a.Validate()
		g.Expect(err).To(MatchError(meta.ErrInvalidDigest))
		g.Expect(err).NotTo(MatchError(meta.ErrInvalidRevision))
	})
	t.Run("negative size", func(t *testing.T) {
		g := NewWithT(t)
		a := validArtifact()
		size := int64(-1)
		a.Size = &size
		err := a.Validate()
		g.Expect(err).To(MatchError(meta.ErrInvalidSize))
		g.Expect(err).To(MatchError("validate artifact size: negative: invalid size"))
		var ae *meta.ArtifactError
		g.Expect(errors.As(err, &ae)).To(BeTrue())
		g.Expect(ae.Field).To(Equal("size"))
	})
	t.Run("every bad field is reported", func(t *testing.T) {
		g := NewWithT(t)
		size := int64(-5)
		a := &meta.Artifact{Revision: "", Digest: "", Size: &size}
		err := a.Validate()
		g.Expect(err).To(MatchError(meta.ErrInvalidRevision))
		g.Expect(err).To(MatchError(meta.ErrInvalidDigest))
		g.Expect(err).To(MatchError(meta.ErrInvalidSize))
	})
}

func TestArtifactHasRevisionAndDigest(t *testing.T) {
	g := NewWithT(t)
	a := validArtifact()
	g.Expect(a.HasRevision("main@" + sha1Hex)).To(BeTrue())
	g.Expect(a.HasRevision(sha1Hex)).To(BeFalse(), "comparison is exact")
	g.Expect(a.HasRevision("dev@" + sha1Hex)).To(BeFalse())
	g.Expect(a.HasDigest(sha256Hex)).To(BeTrue())
	g.Expect(a.HasDigest(sha512Hex)).To(BeFalse())

	var none *meta.Artifact
	g.Expect(none.HasRevision("")).To(BeFalse())
	g.Expect(none.HasDigest("")).To(BeFalse())
}

func TestArtifactDeepCopy(t *testing.T) {
	g := NewWithT(t)
	a := validArtifact()
	a.Metadata = map[string]string{"org.opencontainers.image.source": "https://example.com/app"}
	c := a.DeepCopy()
	g.Expect(c).To(Equal(a))
	*c.Size = 1
	c.Metadata["k"] = "v"
	g.Expect(*a.Size).To(Equal(int64(1024)))
	g.Expect(a.Metadata).NotTo(HaveKey("k"))
}
