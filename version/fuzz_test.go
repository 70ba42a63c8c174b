package version_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{
		"1.2.3", "v1.2", "V1", "2025.02.03-rc.1", "1.0.0-alpha.01+001", "1.2.3.4", "",
		"18446744073709551615.18446744073709551615.18446744073709551615",
		"18446744073709551616", "1.0.0-x-y-z.--", "1.2-rc.1+b.2", "01.02.03", "1.2.3-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := version.Parse(s)
		if tv, ok := version.TryParse(s); ok != (err == nil) || tv != v {
			t.Fatalf("TryParse(%q) = %#v, %v; Parse gave %#v, %v", s, tv, ok, v, err)
		}
		if err != nil {
			assertParseError(t, err, s, version.ErrInvalidVersion)
			if _, serr := version.ParseStrict(s); serr == nil {
				t.Fatalf("ParseStrict accepts %q that Parse rejects", s)
			}
			return
		}
		if v.Original() != s {
			t.Fatalf("Original() = %q, want %q", v.Original(), s)
		}
		if v.Compare(v) != 0 || v.CompareTotal(v) != 0 {
			t.Fatalf("%q does not compare equal to itself", s)
		}
		// The canonical form is strict SemVer, means the same and is a fixed point.
		canon := v.String()
		c, err := version.ParseStrict(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q: %v", canon, s, err)
		}
		if c.Compare(v) != 0 || c.Metadata() != v.Metadata() || c.String() != canon {
			t.Fatalf("canonical %q of %q does not round-trip: %q", canon, s, c.String())
		}
		// Strict inputs are their own canonical form, and parse the same loosely.
		if sv, err := version.ParseStrict(s); err == nil {
			if sv.String() != s || sv != v {
				t.Fatalf("strict %q: String() = %q, loose %#v, strict %#v", s, sv.String(), v, sv)
			}
		}
		// Text round trip keeps the original.
		b, err := v.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back version.Version
		if err := back.UnmarshalText(b); err != nil || back != v {
			t.Fatalf("text round trip of %q: %v, %#v", s, err, back)
		}
	})
}

func FuzzParseConstraint(f *testing.F) {
	for _, s := range []string{
		">=1.2.0 <2.0.0", "^1.2", "~1.2.3", "1.2.x", "*", "!=1.2", "1.2 - 1.4", "^0.0.3 || >=5",
		">= 1.0, < 2", "~>1", "=1.2.3-rc.1+b", ">*", "1.x.3", "", "||", "1.2 - ", "^18446744073709551615",
	} {
		f.Add(s, "1.2.3")
		f.Add(s, "1.3.0-rc.1")
	}
	f.Fuzz(func(t *testing.T, s, probe string) {
		c, err := version.ParseConstraint(s)
		if err != nil {
			assertParseError(t, err, s, version.ErrInvalidConstraint)
			return
		}
		if c.String() != s {
			t.Fatalf("String() = %q, want %q", c.String(), s)
		}
		canon := c.Canonical()
		c2, err := version.ParseConstraint(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q: %v", canon, s, err)
		}
		if c2.Canonical() != canon {
			t.Fatalf("canonical of %q is not a fixed point: %q then %q", s, canon, c2.Canonical())
		}
		v, err := version.Parse(probe)
		if err != nil {
			return
		}
		if c.Check(v) != c2.Check(v) {
			t.Fatalf("%q and its canonical %q disagree on %q", s, canon, probe)
		}
		// Filter agrees with Check.
		if got := len(c.Filter([]version.Version{v})) == 1; got != c.Check(v) {
			t.Fatalf("Filter and Check disagree on %q for %q", probe, s)
		}
	})
}

func FuzzParseRevision(f *testing.F) {
	for _, s := range []string{
		"main@sha1:" + sha1Hex, "v1.2.3@sha256:" + sha256Hex, "refs/pull/1/head@sha1:" + sha1Hex,
		"sha256:" + sha256Hex, "a@b@sha1:" + sha1Hex, "@sha1:" + sha1Hex, "main@md5:00", "main/" + sha1Hex, "",
		"v1@sha512:" + sha512Hex,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := version.ParseRevision(s)
		if err != nil {
			assertParseError(t, err, s, version.ErrInvalidRevision)
			return
		}
		if r.String() != s {
			t.Fatalf("String() = %q, want %q", r.String(), s)
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("Validate(%q): %v", s, err)
		}
		if anyRev, err := version.ParseAnyRevision(s); err != nil || anyRev != r {
			t.Fatalf("ParseAnyRevision(%q) = %#v, %v; want %#v", s, anyRev, err, r)
		}
		if !r.SameDigest(r) {
			t.Fatalf("%q is not the same digest as itself", s)
		}
		if changed, err := version.RevisionChanged(s, s); err != nil || changed {
			t.Fatalf("RevisionChanged(%q, itself) = %v, %v", s, changed, err)
		}
	})
}

func FuzzConvertLegacyRevision(f *testing.F) {
	for _, s := range []string{
		sha1Hex, sha256Hex, "main/" + sha1Hex, "refs/heads/main/" + sha1Hex, "latest/" + sha256Hex,
		"latest/sha256:" + sha256Hex, "main@sha1:" + sha1Hex, "/" + sha1Hex, "main", "", "a@b/" + sha1Hex,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := version.ConvertLegacyRevision(s)
		if err != nil {
			assertParseError(t, err, s, version.ErrInvalidRevision)
			return
		}
		r, err := version.ParseRevision(out)
		if err != nil {
			t.Fatalf("conversion %q of %q does not parse: %v", out, s, err)
		}
		if again, err := version.ConvertLegacyRevision(out); err != nil || again != out {
			t.Fatalf("conversion is not idempotent: %q -> %q -> %q (%v)", s, out, again, err)
		}
		if !strings.HasSuffix(s, r.Hex) {
			t.Fatalf("conversion %q of %q changed the hex", out, s)
		}
		if changed, err := version.RevisionChanged(s, out); err != nil || changed {
			t.Fatalf("RevisionChanged(%q, %q) = %v, %v", s, out, changed, err)
		}
	})
}

func FuzzParseDigest(f *testing.F) {
	for _, s := range []string{helloSHA256, helloSHA384, helloSHA512, "sha1:" + sha1Hex, "sha256:abc", "", ":", "a+b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := version.ParseDigest(s)
		if err != nil {
			assertParseError(t, err, s, version.ErrInvalidDigest)
			return
		}
		if d.String() != s {
			t.Fatalf("String() = %q, want %q", d, s)
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("go-digest rejects %q: %v", s, err)
		}
		if err := version.VerifyDigest(d, d); err != nil {
			t.Fatal(err)
		}
		if _, err := version.NewVerifyingReader(strings.NewReader(""), d); err != nil {
			t.Fatalf("NewVerifyingReader(%q): %v", s, err)
		}
	})
}

func FuzzDigestStream(f *testing.F) {
	f.Add([]byte("hello"), uint8(0))
	f.Add([]byte{}, uint8(1))
	f.Add(bytes.Repeat([]byte{0xff}, 257), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		alg := []digest.Algorithm{version.SHA256, version.SHA384, version.SHA512}[int(pick)%3]
		w, err := version.NewDigestingWriter(nil, alg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		want := alg.FromBytes(data)
		if w.Digest() != want {
			t.Fatalf("writer digest %s, want %s", w.Digest(), want)
		}
		r, err := version.NewVerifyingReader(iotest.HalfReader(bytes.NewReader(data)), want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, data) || !r.Verified() {
			t.Fatalf("verifying reader: %v, verified %v", err, r.Verified())
		}
		// One more byte must fail verification.
		r, err = version.NewVerifyingReader(bytes.NewReader(append(bytes.Clone(data), 0)), want)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); !errors.Is(err, version.ErrDigestMismatch) {
			t.Fatalf("tampered content: got %v, want ErrDigestMismatch", err)
		}
	})
}

// assertParseError checks the error contract of every parser.
func assertParseError(t *testing.T, err error, input string, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error for %q is not %v: %v", input, sentinel, err)
	}
	var pe *version.ParseError
	if !errors.As(err, &pe) || pe.Input != input || pe.Expected == "" {
		t.Fatalf("error for %q is not a complete *ParseError: %#v", input, err)
	}
	if msg := err.Error(); msg == "" || strings.ToLower(msg[:1]) != msg[:1] {
		t.Fatalf("error message for %q is not lowercase: %q", input, msg)
	}
}
