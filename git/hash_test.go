package git_test

import (
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/version"
)

func TestParseHash(t *testing.T) {
	sha1 := strings.Repeat("ab", 20)
	sha256 := strings.Repeat("0f", 32)
	for _, tt := range []struct {
		in   string
		want git.Hash
	}{
		{sha1, git.Hash{Algorithm: version.SHA1, Hex: sha1}},
		{sha256, git.Hash{Algorithm: version.SHA256, Hex: sha256}},
		{"sha1:" + sha1, git.Hash{Algorithm: version.SHA1, Hex: sha1}},
		{"sha256:" + sha256, git.Hash{Algorithm: version.SHA256, Hex: sha256}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			g := NewWithT(t)
			h, err := git.ParseHash(tt.in)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(h).To(Equal(tt.want))
			g.Expect(h.IsZero()).To(BeFalse())
			// String is version's "<algorithm>:<hex>" and parses back.
			g.Expect(h.String()).To(Equal(string(tt.want.Algorithm) + ":" + tt.want.Hex))
			again, err := git.ParseHash(h.String())
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(again).To(Equal(h))
		})
	}

	for _, tt := range []struct {
		name, in string
		// rejectedByVersion: the chain also holds version's *ParseError.
		rejectedByVersion bool
		unsupported       bool
	}{
		{name: "empty", in: "", rejectedByVersion: true},
		{name: "too short", in: "abc", rejectedByVersion: true},
		{name: "not hex", in: strings.Repeat("zz", 20), rejectedByVersion: true},
		{name: "41 digits", in: strings.Repeat("a", 41), rejectedByVersion: true},
		{name: "uppercase", in: strings.ToUpper(sha1), rejectedByVersion: true},
		{name: "uppercase with algorithm", in: "sha1:" + strings.ToUpper(sha1), rejectedByVersion: true},
		{name: "length of the other algorithm", in: "sha1:" + sha256, rejectedByVersion: true},
		{name: "md5", in: "md5:" + strings.Repeat("a", 32), rejectedByVersion: true, unsupported: true},
		{name: "revision with pointer", in: "main@sha1:" + sha1},
		{name: "legacy revision with pointer", in: "main/" + sha1},
		{name: "content digest", in: "sha512:" + strings.Repeat("a", 128), unsupported: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := git.ParseHash(tt.in)
			g.Expect(err).To(MatchError(git.ErrInvalidHash))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(Equal(tt.rejectedByVersion))
			g.Expect(errors.Is(err, version.ErrUnsupportedAlgorithm)).To(Equal(tt.unsupported))
		})
	}

	g := NewWithT(t)
	g.Expect(git.Hash{}.IsZero()).To(BeTrue())
	g.Expect(git.Hash{}.String()).To(BeEmpty())
}

// TestParseHashAgreesWithVersion pins the one case rule: git and version
// accept and reject the same spellings of an object id, uppercase included.
func TestParseHashAgreesWithVersion(t *testing.T) {
	sha1 := strings.Repeat("ab", 20)
	for _, s := range []string{sha1, strings.ToUpper(sha1), "Ab" + sha1[2:], "sha1:" + sha1, "SHA1:" + sha1, "sha256:" + strings.Repeat("0F", 32)} {
		t.Run(s, func(t *testing.T) {
			checkAgreement(t, s)
		})
	}
}

// checkAgreement fails unless ParseHash(s) succeeds exactly when
// version.ParseAnyRevision(s) returns a pointer-less SHA-1 or SHA-256
// revision, and then with the same algorithm and hex.
func checkAgreement(t *testing.T, s string) {
	t.Helper()
	h, err := git.ParseHash(s)
	r, rerr := version.ParseAnyRevision(s)
	want := rerr == nil && r.Pointer == "" && (r.Algorithm == version.SHA1 || r.Algorithm == version.SHA256)
	if (err == nil) != want {
		t.Fatalf("ParseHash(%q) error %v, version.ParseAnyRevision: %+v, %v", s, err, r, rerr)
	}
	if err != nil {
		if !errors.Is(err, git.ErrInvalidHash) {
			t.Fatalf("ParseHash(%q) error %v does not wrap ErrInvalidHash", s, err)
		}
		return
	}
	if h.Algorithm != r.Algorithm || h.Hex != r.Hex || h.String() != r.String() {
		t.Fatalf("ParseHash(%q) = %+v, version.ParseAnyRevision = %+v", s, h, r)
	}
}

func FuzzParseHash(f *testing.F) {
	for _, s := range []string{"", strings.Repeat("ab", 20), strings.Repeat("AB", 20), strings.Repeat("0f", 32),
		"sha1:" + strings.Repeat("ab", 20), "main@sha1:" + strings.Repeat("ab", 20), "main/" + strings.Repeat("ab", 20),
		"sha512:" + strings.Repeat("a", 128), "md5:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkAgreement(t, s)
	})
}

func TestRevisionHash(t *testing.T) {
	g := NewWithT(t)
	sha1 := strings.Repeat("ab", 20)
	c := git.Commit{Hash: git.Hash{Algorithm: version.SHA1, Hex: sha1}, Reference: "refs/heads/main"}
	h, err := git.RevisionHash(c.Revision())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(h).To(Equal(c.Hash))

	_, err = git.RevisionHash(version.Revision{Algorithm: version.SHA384, Hex: strings.Repeat("a", 96)})
	g.Expect(err).To(MatchError(git.ErrInvalidHash))
	g.Expect(err).To(MatchError(version.ErrUnsupportedAlgorithm))

	_, err = git.RevisionHash(version.Revision{Algorithm: version.SHA1, Hex: strings.ToUpper(sha1)})
	g.Expect(err).To(MatchError(git.ErrInvalidHash))
	g.Expect(err).To(MatchError(version.ErrInvalidRevision))

	_, err = git.RevisionHash(version.Revision{})
	g.Expect(err).To(MatchError(git.ErrInvalidHash))
}

func TestCommitRevision(t *testing.T) {
	g := NewWithT(t)
	sha1 := strings.Repeat("ab", 20)
	sha256 := strings.Repeat("cd", 32)
	c := git.Commit{Hash: git.Hash{Algorithm: version.SHA1, Hex: sha1}}
	for ref, want := range map[string]string{
		"":                   "sha1:" + sha1,
		"refs/heads/main":    "main@sha1:" + sha1,
		"refs/tags/v1.2.3":   "v1.2.3@sha1:" + sha1,
		"refs/pull/1/head":   "refs/pull/1/head@sha1:" + sha1,
		"refs/heads/feat/x":  "feat/x@sha1:" + sha1,
		"refs/notes/commits": "refs/notes/commits@sha1:" + sha1,
	} {
		c.Reference = ref
		rev := c.Revision()
		g.Expect(rev.String()).To(Equal(want))
		g.Expect(rev.Validate()).To(Succeed())
		// The same type and value version parses from the string.
		parsed, err := version.ParseRevision(want)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(rev).To(Equal(parsed))
	}
	c = git.Commit{Hash: git.Hash{Algorithm: version.SHA256, Hex: sha256}, Reference: "refs/heads/main"}
	g.Expect(c.Revision()).To(Equal(version.Revision{Pointer: "main", Algorithm: version.SHA256, Hex: sha256}))
	g.Expect(c.Revision().String()).To(Equal("main@sha256:" + sha256))
	g.Expect(git.Commit{}.Revision().IsZero()).To(BeTrue())
	g.Expect(git.Commit{}.Revision().String()).To(BeEmpty())
}
