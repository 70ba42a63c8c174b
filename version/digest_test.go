package version_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/onsi/gomega"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

const (
	helloSHA256 = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	helloSHA384 = "sha384:59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"
	helloSHA512 = "sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"
)

func TestParseDigest(t *testing.T) {
	for _, s := range []string{helloSHA256, helloSHA384, helloSHA512} {
		t.Run(s, func(t *testing.T) {
			g := gomega.NewWithT(t)
			d, err := version.ParseDigest(s)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(d.String()).To(gomega.Equal(s))
		})
	}
}

func TestParseDigestErrors(t *testing.T) {
	tests := []struct {
		in          string
		cause       error
		unsupported bool
	}{
		{"", digest.ErrDigestInvalidFormat, false},
		{"sha256", digest.ErrDigestInvalidFormat, false},
		{"sha256:", digest.ErrDigestInvalidFormat, false},
		{":abc", digest.ErrDigestInvalidFormat, false},
		{"sha256:abc", digest.ErrDigestInvalidLength, false},
		{strings.ToUpper(helloSHA256[:7]) + helloSHA256[7:], digest.ErrDigestInvalidFormat, false},
		{helloSHA256[:7] + strings.ToUpper(helloSHA256[7:]), digest.ErrDigestInvalidFormat, false},
		{"sha1:" + sha1Hex, digest.ErrDigestUnsupported, true},
		{"blake3:" + sha256Hex, digest.ErrDigestUnsupported, true},
		{"md5:!!", digest.ErrDigestInvalidFormat, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := gomega.NewWithT(t)
			_, err := version.ParseDigest(tt.in)
			g.Expect(err).To(gomega.MatchError(version.ErrInvalidDigest))
			g.Expect(err).To(gomega.MatchError(tt.cause))
			g.Expect(errors.Is(err, version.ErrUnsupportedAlgorithm)).To(gomega.Equal(tt.unsupported))
			var pe *version.ParseError
			g.Expect(errors.As(err, &pe)).To(gomega.BeTrue())
			g.Expect(pe.Expected).To(gomega.ContainSubstring("sha256"))
		})
	}
}

func TestDigestingReader(t *testing.T) {
	for _, want := range []string{helloSHA256, helloSHA384, helloSHA512} {
		t.Run(want, func(t *testing.T) {
			g := gomega.NewWithT(t)
			alg := digest.Digest(want).Algorithm()
			r, err := version.NewDigestingReader(iotest.OneByteReader(strings.NewReader("hello")), alg)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			b, err := io.ReadAll(r)
			g.Expect(err).NotTo(gomega.HaveOccurred())
			g.Expect(string(b)).To(gomega.Equal("hello"))
			g.Expect(r.Digest()).To(gomega.Equal(digest.Digest(want)))
			g.Expect(r.Size()).To(gomega.Equal(int64(5)))
		})
	}
}

func TestDigestingReaderPassesErrors(t *testing.T) {
	g := gomega.NewWithT(t)
	boom := errors.New("boom")
	r, err := version.NewDigestingReader(iotest.ErrReader(boom), version.SHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = io.ReadAll(r)
	g.Expect(err).To(gomega.MatchError(boom))
}

func TestDigestingReaderRejectsBadCount(t *testing.T) {
	g := gomega.NewWithT(t)
	r, err := version.NewDigestingReader(badReader{}, version.SHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = r.Read(make([]byte, 4))
	g.Expect(err).To(gomega.MatchError(gomega.ContainSubstring("invalid count")))
}

type badReader struct{}

func (badReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestNewDigesterUnsupported(t *testing.T) {
	for _, alg := range []digest.Algorithm{version.SHA1, "", "blake3", "md5"} {
		t.Run(string(alg), func(t *testing.T) {
			g := gomega.NewWithT(t)
			_, err := version.NewDigestingReader(strings.NewReader(""), alg)
			g.Expect(err).To(gomega.MatchError(version.ErrUnsupportedAlgorithm))
			_, err = version.NewDigestingWriter(io.Discard, alg)
			g.Expect(err).To(gomega.MatchError(version.ErrUnsupportedAlgorithm))
		})
	}
}

func TestVerifyingReader(t *testing.T) {
	g := gomega.NewWithT(t)
	r, err := version.NewVerifyingReader(strings.NewReader("hello"), helloSHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(r.Verified()).To(gomega.BeFalse())
	var out bytes.Buffer
	n, err := io.Copy(&out, r)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(n).To(gomega.Equal(int64(5)))
	g.Expect(r.Verified()).To(gomega.BeTrue())
	g.Expect(r.Size()).To(gomega.Equal(int64(5)))
	g.Expect(r.Digest()).To(gomega.Equal(digest.Digest(helloSHA256)))
	// Sticky io.EOF afterwards.
	_, err = r.Read(make([]byte, 1))
	g.Expect(err).To(gomega.MatchError(io.EOF))
}

func TestVerifyingReaderMismatch(t *testing.T) {
	g := gomega.NewWithT(t)
	r, err := version.NewVerifyingReader(strings.NewReader("hellO"), helloSHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = io.Copy(io.Discard, r)
	g.Expect(err).To(gomega.MatchError(version.ErrDigestMismatch))
	var mm *version.DigestMismatchError
	g.Expect(errors.As(err, &mm)).To(gomega.BeTrue())
	g.Expect(mm.Expected).To(gomega.Equal(digest.Digest(helloSHA256)))
	g.Expect(mm.Actual).To(gomega.Equal(digest.FromString("hellO")))
	g.Expect(err.Error()).To(gomega.Equal("digest mismatch: expected " + helloSHA256 + ", got " + mm.Actual.String()))
	g.Expect(r.Verified()).To(gomega.BeFalse())
	// Sticky.
	_, err2 := r.Read(make([]byte, 1))
	g.Expect(err2).To(gomega.MatchError(version.ErrDigestMismatch))
}

func TestVerifyingReaderDataWithEOF(t *testing.T) {
	g := gomega.NewWithT(t)
	// iotest.DataErrReader returns the last bytes together with io.EOF.
	r, err := version.NewVerifyingReader(iotest.DataErrReader(strings.NewReader("hello")), helloSHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	b, err := io.ReadAll(r)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(string(b)).To(gomega.Equal("hello"))
	g.Expect(r.Verified()).To(gomega.BeTrue())
}

func TestNewVerifyingReaderInvalid(t *testing.T) {
	g := gomega.NewWithT(t)
	_, err := version.NewVerifyingReader(strings.NewReader(""), digest.Digest("sha1:"+sha1Hex))
	g.Expect(err).To(gomega.MatchError(version.ErrInvalidDigest))
	g.Expect(err).To(gomega.MatchError(version.ErrUnsupportedAlgorithm))
	_, err = version.NewVerifyingReader(strings.NewReader(""), "nope")
	g.Expect(err).To(gomega.MatchError(version.ErrInvalidDigest))
	g.Expect(err.Error()).To(gomega.HavePrefix("new verifying reader: "))
}

func TestDigestingWriter(t *testing.T) {
	g := gomega.NewWithT(t)
	var buf bytes.Buffer
	w, err := version.NewDigestingWriter(&buf, version.SHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = io.WriteString(w, "hel")
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = io.WriteString(w, "lo")
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(buf.String()).To(gomega.Equal("hello"))
	g.Expect(w.Digest()).To(gomega.Equal(digest.Digest(helloSHA256)))
	g.Expect(w.Size()).To(gomega.Equal(int64(5)))
	g.Expect(w.Verify(helloSHA256)).To(gomega.Succeed())
	err = w.Verify(helloSHA512)
	g.Expect(err).To(gomega.MatchError(version.ErrDigestMismatch))

	// A nil writer hashes only.
	w, err = version.NewDigestingWriter(nil, version.SHA512)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = w.Write([]byte("hello"))
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(w.Digest()).To(gomega.Equal(digest.Digest(helloSHA512)))
}

func TestDigestingWriterShortWrite(t *testing.T) {
	g := gomega.NewWithT(t)
	w, err := version.NewDigestingWriter(&shortWriter{max: 3}, version.SHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	n, err := w.Write([]byte("hello"))
	g.Expect(err).To(gomega.MatchError(io.ErrShortWrite))
	g.Expect(n).To(gomega.Equal(3))
	// Only what was written is hashed.
	g.Expect(w.Digest()).To(gomega.Equal(digest.FromString("hel")))

	w, err = version.NewDigestingWriter(&shortWriter{max: -1}, version.SHA256)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = w.Write([]byte("hello"))
	g.Expect(err).To(gomega.MatchError(gomega.ContainSubstring("invalid count")))
}

type shortWriter struct{ max int }

func (w *shortWriter) Write(p []byte) (int, error) {
	if len(p) > w.max {
		return w.max, io.ErrShortWrite
	}
	return len(p), nil
}

func TestVerifyDigest(t *testing.T) {
	g := gomega.NewWithT(t)
	g.Expect(version.VerifyDigest(helloSHA256, helloSHA256)).To(gomega.Succeed())
	err := version.VerifyDigest(helloSHA256, helloSHA512)
	var mm *version.DigestMismatchError
	g.Expect(errors.As(err, &mm)).To(gomega.BeTrue())
	g.Expect(mm.Actual).To(gomega.Equal(digest.Digest(helloSHA512)))
}
