package version_test

import (
	"errors"
	"testing"

	"github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
)

func TestConvertLegacyRevision(t *testing.T) {
	tests := map[string]string{
		sha1Hex:                      "sha1:" + sha1Hex,
		sha256Hex:                    "sha256:" + sha256Hex,
		"main/" + sha1Hex:            "main@sha1:" + sha1Hex,
		"v1.2.3/" + sha1Hex:          "v1.2.3@sha1:" + sha1Hex,
		"refs/heads/main/" + sha1Hex: "refs/heads/main@sha1:" + sha1Hex,
		"feature/x/" + sha256Hex:     "feature/x@sha256:" + sha256Hex,
		"latest/" + sha256Hex:        "latest@sha256:" + sha256Hex,
		"latest/sha256:" + sha256Hex: "latest@sha256:" + sha256Hex,
		"a@b/" + sha1Hex:             "a@b@sha1:" + sha1Hex,
		// Already RFC-0005: unchanged.
		"main@sha1:" + sha1Hex:             "main@sha1:" + sha1Hex,
		"sha256:" + sha256Hex:              "sha256:" + sha256Hex,
		"refs/pull/1/head@sha1:" + sha1Hex: "refs/pull/1/head@sha1:" + sha1Hex,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			got, err := version.ConvertLegacyRevision(in)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(got).To(gomega.Equal(want))

			// The result parses strictly, to the same revision, and converts to itself.
			r, err := version.ParseRevision(got)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			anyRev, err := version.ParseAnyRevision(in)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(anyRev).To(gomega.Equal(r))
			again, err := version.ConvertLegacyRevision(got)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(again).To(gomega.Equal(got))
		})
	}
}

func TestConvertLegacyRevisionErrors(t *testing.T) {
	tests := []struct {
		in          string
		reason      string
		unsupported bool
	}{
		{"", "empty revision", false},
		{"main", "got 4 characters", false},
		{"1.2.3", "got 5 characters", false},
		{"/" + sha1Hex, "empty named pointer before '/'", false},
		{"main/" + sha1Hex[:39], "got 39 characters", false},
		{"main/" + sha1Hex + "0", "got 41 characters", false},
		{"MAIN/" + "0123456789ABCDEF0123456789ABCDEF01234567", "not lowercase hexadecimal", false},
		{"my branch/" + sha1Hex, "space or control character", false},
		{"latest/md5:" + sha1Hex, "not one of sha1", true},
		{"md5:" + sha1Hex, "not one of sha1", true},
		{"main@sha1:" + sha1Hex[:10], "not RFC-0005", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			_, err := version.ConvertLegacyRevision(tt.in)
			g.Expect(err).To(gomega.MatchError(version.ErrInvalidRevision))
			g.Expect(err.Error()).To(gomega.ContainSubstring(tt.reason))
			g.Expect(errors.Is(err, version.ErrUnsupportedAlgorithm)).To(gomega.Equal(tt.unsupported))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
			g.Expect(pe.Expected).To(gomega.ContainSubstring("legacy"))
		})
	}
}

func TestRevisionChanged(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		changed  bool
	}{
		{"first fetch", "", "main@sha1:" + sha1Hex, true},
		{"same", "main@sha1:" + sha1Hex, "main@sha1:" + sha1Hex, false},
		{"legacy old", "main/" + sha1Hex, "main@sha1:" + sha1Hex, false},
		{"legacy new", "main@sha1:" + sha1Hex, "main/" + sha1Hex, false},
		{"bare legacy", sha1Hex, "main@sha1:" + sha1Hex, false},
		{"other pointer same commit", "main@sha1:" + sha1Hex, "v1@sha1:" + sha1Hex, false},
		{"new commit", "main@sha1:" + sha1Hex, "main@sha1:" + sha1Hex2, true},
		{"new commit from legacy", "main/" + sha1Hex, "main@sha1:" + sha1Hex2, true},
		{"algorithm change", "sha1:" + sha1Hex, "sha256:" + sha256Hex, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			changed, err := version.RevisionChanged(tt.old, tt.new)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(changed).To(gomega.Equal(tt.changed))
		})
	}
}

func TestRevisionChangedErrors(t *testing.T) {
	g := gomega.NewWithT(t)
	_, err := version.RevisionChanged("main@sha1:"+sha1Hex, "")
	g.Expect(err).To(gomega.MatchError(version.ErrInvalidRevision))
	g.Expect(err.Error()).To(gomega.HavePrefix("compare revisions: new revision: "))

	_, err = version.RevisionChanged("garbage", "main@sha1:"+sha1Hex)
	g.Expect(err).To(gomega.MatchError(version.ErrInvalidRevision))
	g.Expect(err.Error()).To(gomega.HavePrefix("compare revisions: old revision: "))
}
