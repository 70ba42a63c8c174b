package signature_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/signature"
)

// fuzzKey is a fixed SSH key, so that the seed corpus is the same on every
// run.
func fuzzKey(f *testing.F) (*signature.Signer, string) {
	f.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		f.Fatal(err)
	}
	s, err := signature.NewSigner(git.SigningKey{PrivateKey: pem.EncodeToMemory(block)})
	if err != nil {
		f.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		f.Fatal(err)
	}
	return s, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func seedCommit(f *testing.F, s *signature.Signer) []byte {
	f.Helper()
	payload := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1704067200 +0000\ncommitter A <a@b> 1704067200 +0000\n\nsigned change\n"
	sig, err := s.Sign(strings.NewReader(payload))
	if err != nil {
		f.Fatal(err)
	}
	header, message, _ := strings.Cut(payload, "\n\n")
	return []byte(header + "\ngpgsig " + strings.ReplaceAll(strings.TrimSuffix(string(sig), "\n"), "\n", "\n ") + "\n\n" + message)
}

// checkVerification fails the fuzz run for untyped errors or a result
// without a key.
func checkVerification(t *testing.T, res *git.VerifiedSignature, err error) {
	t.Helper()
	if err != nil {
		var ve *git.VerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		known := false
		for _, s := range []error{git.ErrNoSignature, git.ErrNoMatchingKey, git.ErrMalformedSignature, git.ErrInvalidSignature} {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Fatalf("error without a sentinel: %v", err)
		}
		return
	}
	if res == nil || res.KeyID == "" {
		t.Fatalf("verified without a key: %+v", res)
	}
}

func FuzzVerifyCommit(f *testing.F) {
	s, pub := fuzzKey(f)
	v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte("a@b " + pub)})
	if err != nil {
		f.Fatal(err)
	}
	signed := seedCommit(f, s)
	f.Add(signed)
	f.Add(bytes.Replace(signed, []byte("change"), []byte("chAnge"), 1))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\nmsg\n"))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ngpgsig-sha256 x\n y\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := v.VerifyCommit(raw)
		checkVerification(t, res, err)
	})
}

func FuzzVerifyTag(f *testing.F) {
	s, pub := fuzzKey(f)
	v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte("a@b " + pub)})
	if err != nil {
		f.Fatal(err)
	}
	payload := "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger A <a@b> 1704067200 +0000\n\nsigned change\n"
	sig, err := s.Sign(strings.NewReader(payload))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(payload + string(sig)))
	f.Add([]byte(payload + "-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := v.VerifyTag(raw)
		checkVerification(t, res, err)
	})
}

func FuzzNewVerifier(f *testing.F) {
	_, pub := fuzzKey(f)
	for _, s := range []string{"a@b " + pub, `"a b" namespaces="git",valid-after="20240101Z" ` + pub, "a@b cert-authority " + pub, "# c\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, allowed []byte) {
		_, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: allowed, OpenPGPKeyRings: [][]byte{allowed}})
		if err != nil && !errors.Is(err, git.ErrInvalidKey) {
			t.Fatalf("error without ErrInvalidKey: %v", err)
		}
	})
}
