package meta_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/sluice-dev/sluice/apis/meta"
)

// FuzzArtifactValidate checks that Artifact.Validate accepts exactly the
// revisions and digests that the CRD patterns accept, since the apiserver
// enforces the patterns and controllers rely on Validate to agree.
func FuzzArtifactValidate(f *testing.F) {
	for _, seed := range [][2]string{
		{"main@" + sha1Hex, sha256Hex},
		{sha512Hex, sha384Hex},
		{"a@b@" + sha256Hex, sha512Hex},
		{"@" + sha1Hex, sha1Hex},
		{"main", "sha256:"},
		{"ü\x00@sha1:" + hex(39) + "G", "SHA256:" + hex(64)},
		{"\xff@" + sha384Hex, sha256Hex + "\n"},
	} {
		f.Add(seed[0], seed[1])
	}
	revisionRE := regexp.MustCompile(meta.RevisionPattern)
	digestRE := regexp.MustCompile(meta.DigestPattern)
	f.Fuzz(func(t *testing.T, revision, digest string) {
		err := (&meta.Artifact{Revision: revision, Digest: digest}).Validate()
		if got, want := !errors.Is(err, meta.ErrInvalidRevision), revisionRE.MatchString(revision); got != want {
			t.Fatalf("revision %q: Validate accepts=%v, RevisionPattern accepts=%v (err: %v)", revision, got, want, err)
		}
		if got, want := !errors.Is(err, meta.ErrInvalidDigest), digestRE.MatchString(digest); got != want {
			t.Fatalf("digest %q: Validate accepts=%v, DigestPattern accepts=%v (err: %v)", digest, got, want, err)
		}
		if errors.Is(err, meta.ErrInvalidSize) {
			t.Fatalf("size error without a size: %v", err)
		}
		var ae *meta.ArtifactError
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("error is not an *ArtifactError: %v", err)
		}
	})
}
