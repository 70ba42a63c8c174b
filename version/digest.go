package version

import (
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/opencontainers/go-digest"
)

const expectDigest = "<algorithm>:<hex> with sha256 (64 hex), sha384 (96) or sha512 (128), lowercase hex"

// newHash returns a hash for a content-digest algorithm. It is a switch rather
// than go-digest's Algorithm.Hash, which panics for an unknown algorithm.
func newHash(a digest.Algorithm) (hash.Hash, bool) {
	switch a {
	case SHA256:
		return sha256.New(), true
	case SHA384:
		return sha512.New384(), true
	case SHA512:
		return sha512.New(), true
	}
	return nil, false
}

// ParseDigest parses and validates a content digest "<algorithm>:<hex>" with
// go-digest, accepting sha256, sha384 and sha512 only, lowercase hex only.
// BLAKE3 is not accepted: go-digest v1.0.0, its latest release, does not
// know it, and its registration exists only in an unreleased module that
// registers itself from init().
//
// ParseDigest returns a *ParseError wrapping ErrInvalidDigest and the
// go-digest error (digest.ErrDigestInvalidFormat,
// digest.ErrDigestInvalidLength or digest.ErrDigestUnsupported), and also
// ErrUnsupportedAlgorithm for a well-formed digest of another algorithm.
func ParseDigest(s string) (digest.Digest, error) {
	d := digest.Digest(s)
	if err := d.Validate(); err != nil {
		if errors.Is(err, digest.ErrDigestUnsupported) {
			return "", &ParseError{Input: s, Expected: expectDigest,
				Err: fmt.Errorf("%w: %w: %w", ErrInvalidDigest, ErrUnsupportedAlgorithm, err)}
		}
		return "", &ParseError{Input: s, Expected: expectDigest, Err: fmt.Errorf("%w: %w", ErrInvalidDigest, err)}
	}
	if _, ok := newHash(d.Algorithm()); !ok {
		// Only reachable if a program registers more algorithms in go-digest.
		return "", &ParseError{Input: s, Expected: expectDigest,
			Err: fmt.Errorf("%w: %w: %s", ErrInvalidDigest, ErrUnsupportedAlgorithm, d.Algorithm())}
	}
	return d, nil
}

// VerifyDigest returns nil if actual equals expected and a
// *DigestMismatchError (wrapping ErrDigestMismatch) otherwise; digests of
// different algorithms never match.
func VerifyDigest(expected, actual digest.Digest) error {
	if expected != actual {
		return &DigestMismatchError{Expected: expected, Actual: actual}
	}
	return nil
}

// unsupported builds the error New* constructors return for an algorithm they
// cannot compute.
func unsupported(a digest.Algorithm) error {
	return fmt.Errorf("new digester: %w: %q (want sha256, sha384 or sha512)", ErrUnsupportedAlgorithm, string(a))
}

// hasher hashes and counts the bytes a wrapped reader or writer passed on.
type hasher struct {
	h   hash.Hash
	alg digest.Algorithm
	n   int64
}

func newHasher(alg digest.Algorithm) (hasher, error) {
	h, ok := newHash(alg)
	if !ok {
		return hasher{}, unsupported(alg)
	}
	return hasher{h: h, alg: alg}, nil
}

// add hashes p[:n] after checking that n is a count the wrapped reader or
// writer (named by what) may return.
func (s *hasher) add(what string, p []byte, n int) error {
	if n < 0 || n > len(p) {
		return fmt.Errorf("digesting %s: underlying %s returned invalid count %d", what, what, n)
	}
	_, _ = s.h.Write(p[:n]) // hash.Hash.Write never returns an error.
	s.n += int64(n)
	return nil
}

func (s *hasher) digest() digest.Digest { return digest.NewDigest(s.alg, s.h) }

// DigestingReader hashes what is read through it. It is not safe for
// concurrent use, like the reader it wraps.
type DigestingReader struct {
	r io.Reader
	s hasher
}

// NewDigestingReader returns a reader that reads from r and hashes the bytes
// with alg (SHA256, SHA384 or SHA512). Read the stream to its end, then call
// Digest.
//
// It returns an error wrapping ErrUnsupportedAlgorithm for another algorithm.
func NewDigestingReader(r io.Reader, alg digest.Algorithm) (*DigestingReader, error) {
	s, err := newHasher(alg)
	if err != nil {
		return nil, err
	}
	return &DigestingReader{r: r, s: s}, nil
}

// Read reads from the underlying reader and hashes what it returns, errors
// passed through unchanged.
func (d *DigestingReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if addErr := d.s.add("reader", p, n); addErr != nil {
		return 0, addErr
	}
	return n, err
}

// Digest returns the digest of the bytes read so far.
func (d *DigestingReader) Digest() digest.Digest { return d.s.digest() }

// Size returns the number of bytes read so far.
func (d *DigestingReader) Size() int64 { return d.s.n }

// VerifyingReader hashes what is read through it and, at the end of the
// stream, checks the digest: instead of io.EOF, Read returns a
// *DigestMismatchError when the content does not match. So io.Copy,
// io.ReadAll and the like fail on corrupt content without an extra call. It
// is not safe for concurrent use.
type VerifyingReader struct {
	d        DigestingReader
	expected digest.Digest
	err      error // sticky result once the underlying reader hit io.EOF
}

// NewVerifyingReader returns a reader that reads r and verifies it against
// expected, which ParseDigest must accept.
//
// It returns the errors of ParseDigest for an invalid expected digest.
func NewVerifyingReader(r io.Reader, expected digest.Digest) (*VerifyingReader, error) {
	if _, err := ParseDigest(string(expected)); err != nil {
		return nil, fmt.Errorf("new verifying reader: %w", err)
	}
	s, err := newHasher(expected.Algorithm())
	if err != nil {
		return nil, fmt.Errorf("new verifying reader: %w", err)
	}
	return &VerifyingReader{d: DigestingReader{r: r, s: s}, expected: expected}, nil
}

// Read reads and hashes. When the underlying reader returns io.EOF, Read
// returns io.EOF if the digest matches and a *DigestMismatchError if not; it
// keeps returning that result afterwards. Other errors pass through.
func (v *VerifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.d.Read(p)
	if errors.Is(err, io.EOF) {
		v.err = io.EOF
		if mismatch := VerifyDigest(v.expected, v.d.Digest()); mismatch != nil {
			v.err = mismatch
		}
		return n, v.err
	}
	return n, err
}

// Verified reports whether the stream was read to its end and matched.
func (v *VerifyingReader) Verified() bool { return errors.Is(v.err, io.EOF) }

// Digest returns the digest of the bytes read so far.
func (v *VerifyingReader) Digest() digest.Digest { return v.d.Digest() }

// Size returns the number of bytes read so far.
func (v *VerifyingReader) Size() int64 { return v.d.Size() }

// DigestingWriter writes through to another writer and hashes what that
// writer accepted. It is not safe for concurrent use.
type DigestingWriter struct {
	w io.Writer
	s hasher
}

// NewDigestingWriter returns a writer that writes to w (io.Discard when w is
// nil, to hash only) and hashes with alg (SHA256, SHA384 or SHA512).
//
// It returns an error wrapping ErrUnsupportedAlgorithm for another algorithm.
func NewDigestingWriter(w io.Writer, alg digest.Algorithm) (*DigestingWriter, error) {
	s, err := newHasher(alg)
	if err != nil {
		return nil, err
	}
	if w == nil {
		w = io.Discard
	}
	return &DigestingWriter{w: w, s: s}, nil
}

// Write writes p to the underlying writer and hashes the bytes it accepted,
// so the digest always matches what was written even on a short write.
func (d *DigestingWriter) Write(p []byte) (int, error) {
	n, err := d.w.Write(p)
	if addErr := d.s.add("writer", p, n); addErr != nil {
		return 0, addErr
	}
	return n, err
}

// Digest returns the digest of the bytes written so far.
func (d *DigestingWriter) Digest() digest.Digest { return d.s.digest() }

// Size returns the number of bytes written so far.
func (d *DigestingWriter) Size() int64 { return d.s.n }

// Verify compares the digest of what was written with expected, returning nil
// or a *DigestMismatchError.
func (d *DigestingWriter) Verify(expected digest.Digest) error {
	return VerifyDigest(expected, d.Digest())
}
