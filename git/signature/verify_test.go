package signature_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/signature"
	"github.com/sluice-dev/sluice/version"
)

// expectVerificationError checks the sentinel and the type of err.
func expectVerificationError(g *WithT, err error, want error) git.VerificationError {
	g.Expect(err).To(MatchError(want))
	var ve *git.VerificationError
	g.Expect(errors.As(err, &ve)).To(BeTrue(), "%T", err)
	if ve == nil {
		return git.VerificationError{}
	}
	return *ve
}

// signedByUs makes an unsigned commit with the git CLI, signs its payload
// with s and stores the signed commit, returning its hash.
func signedByUs(t *testing.T, r *repo, s *signature.Signer) string {
	t.Helper()
	g := NewWithT(t)
	g.Expect(os.WriteFile(filepath.Join(r.dir, "file.txt"), []byte(t.Name()), 0o600)).To(Succeed())
	r.git("add", "file.txt")
	r.git("commit", "--quiet", "-m", "signed change")
	payload := r.catFile("commit", "HEAD")
	sig, err := s.Sign(bytes.NewReader(payload))
	g.Expect(err).NotTo(HaveOccurred())
	return r.insertSignature(payload, sig)
}

func TestSSHSignaturesInteroperateWithGit(t *testing.T) {
	for _, kind := range []string{"ed25519", "rsa"} {
		t.Run(kind, func(t *testing.T) {
			g := NewWithT(t)
			key := newSSHKey(t, kind)
			other := newSSHKey(t, "ed25519")
			r := newRepo(t)
			allowed := []byte("# trusted\ntest@sluice.invalid " + key.public + "\n")
			allowedFile := filepath.Join(t.TempDir(), "allowed_signers")
			g.Expect(os.WriteFile(allowedFile, allowed, 0o600)).To(Succeed())
			v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: allowed})
			g.Expect(err).NotTo(HaveOccurred())

			// Ours, checked by git verify-commit and by us.
			s, err := signature.NewSigner(git.SigningKey{PrivateKey: key.private})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(s.Format()).To(Equal(git.SignatureSSH))
			g.Expect(s.KeyID()).To(Equal(key.fp))
			ours := signedByUs(t, r, s)
			out, err := r.run(nil, "git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+allowedFile, "verify-commit", ours)
			g.Expect(err).NotTo(HaveOccurred(), out)
			g.Expect(out).To(ContainSubstring(`Good "git" signature for test@sluice.invalid`))
			res, err := v.VerifyCommit(r.catFile("commit", ours))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(*res).To(Equal(git.VerifiedSignature{Format: git.SignatureSSH, KeyID: key.fp, Fingerprint: key.fp, Signer: "test@sluice.invalid"}))

			// The git CLI's, checked by us.
			g.Expect(os.WriteFile(filepath.Join(r.dir, "cli.txt"), []byte("cli"), 0o600)).To(Succeed())
			r.git("add", "cli.txt")
			r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+key.file, "commit", "--quiet", "-S", "-m", "signed change")
			raw := r.catFile("commit", "HEAD")
			res, err = v.VerifyCommit(raw)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.KeyID).To(Equal(key.fp))
			r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+key.file, "tag", "-s", "-m", "signed change", "v1.0.0")
			tag := r.catFile("tag", "v1.0.0")
			res, err = v.VerifyTag(tag)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.Signer).To(Equal("test@sluice.invalid"))

			// Tampered objects fail.
			ve := expectVerificationError(g, mustFail(v.VerifyCommit(tamper(raw))), git.ErrInvalidSignature)
			g.Expect(ve.KeyID).To(Equal(key.fp))
			g.Expect(ve.Format).To(Equal(git.SignatureSSH))
			g.Expect(ve.Object).To(Equal("commit"))
			expectVerificationError(g, mustFail(v.VerifyTag(tamper(tag))), git.ErrInvalidSignature)

			// Another key is not trusted.
			wrong, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte("test@sluice.invalid " + other.public + "\n")})
			g.Expect(err).NotTo(HaveOccurred())
			expectVerificationError(g, mustFail(wrong.VerifyCommit(raw)), git.ErrNoMatchingKey)
			expectVerificationError(g, mustFail(wrong.VerifyTag(tag)), git.ErrNoMatchingKey)
		})
	}
}

func TestSSHAllowedSignerOptions(t *testing.T) {
	key := newSSHKey(t, "ed25519")
	r := newRepo(t)
	r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+key.file, "commit", "--quiet", "--allow-empty", "-S", "-m", "signed change",
		"--date=2024-06-01T00:00:00Z")
	r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+key.file, "commit", "--quiet", "--allow-empty", "-S", "-m", "signed change")
	raw := r.catFile("commit", "HEAD")
	tests := []struct {
		name    string
		line    string
		trusted bool
	}{
		{name: "plain", line: `*@sluice.invalid ` + key.public, trusted: true},
		{name: "namespaces admit git", line: `test@sluice.invalid namespaces="file,git" ` + key.public, trusted: true},
		{name: "namespace wildcard", line: `test@sluice.invalid namespaces="g?t" ` + key.public, trusted: true},
		{name: "namespaces exclude git", line: `test@sluice.invalid namespaces="file" ` + key.public},
		{name: "negated namespace", line: `test@sluice.invalid namespaces="*,!git" ` + key.public},
		{name: "valid window", line: `"test@sluice.invalid,ci" valid-after="20200101",valid-before="29991231Z" ` + key.public, trusted: true},
		{name: "not yet valid", line: `test@sluice.invalid valid-after="29990101Z" ` + key.public},
		{name: "expired", line: `test@sluice.invalid valid-before="202001010000Z" ` + key.public},
		{name: "cert authority", line: `test@sluice.invalid cert-authority ` + key.public},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			allowedFile := filepath.Join(t.TempDir(), "allowed_signers")
			g.Expect(os.WriteFile(allowedFile, []byte(tt.line+"\n"), 0o600)).To(Succeed())
			v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte(tt.line)})
			g.Expect(err).NotTo(HaveOccurred())
			_, err = v.VerifyCommit(raw)
			// git verify-commit gives the same verdict.
			out, gitErr := r.run(nil, "git", "-c", "gpg.ssh.allowedSignersFile="+allowedFile, "verify-commit", "HEAD")
			if tt.trusted {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(gitErr).NotTo(HaveOccurred(), out)
				return
			}
			expectVerificationError(g, err, git.ErrNoMatchingKey)
			g.Expect(gitErr).To(HaveOccurred(), out)
		})
	}
}

func TestOpenPGPSignaturesInteroperateWithGit(t *testing.T) {
	g := NewWithT(t)
	r := newRepo(t)
	r.withGPG()
	key := newPGPKey(t, "")
	other := newPGPKey(t, "")
	v, err := signature.NewVerifier(signature.TrustedKeys{OpenPGPKeyRings: [][]byte{other.public, key.public}})
	g.Expect(err).NotTo(HaveOccurred())

	// Ours, checked by git verify-commit (gpg) and by us.
	r.gpgImport(key.public)
	s, err := signature.NewSigner(git.SigningKey{PrivateKey: key.private})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.Format()).To(Equal(git.SignatureOpenPGP))
	ours := signedByUs(t, r, s)
	out, err := r.run(nil, "git", "verify-commit", ours)
	g.Expect(err).NotTo(HaveOccurred(), out)
	g.Expect(out).To(ContainSubstring(`Good signature from "Sluice Test <test@sluice.invalid>"`))
	res, err := v.VerifyCommit(r.catFile("commit", ours))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Format).To(Equal(git.SignatureOpenPGP))
	g.Expect(res.KeyID).To(Equal(key.keyID))
	g.Expect(res.KeyID).To(Equal(s.KeyID()))
	g.Expect(res.Fingerprint).To(Equal(key.fpr))
	g.Expect(res.Signer).To(Equal("Sluice Test <test@sluice.invalid>"))

	// The git CLI's (gpg), checked by us.
	r.gpgImport(key.private)
	g.Expect(os.WriteFile(filepath.Join(r.dir, "cli.txt"), []byte("cli"), 0o600)).To(Succeed())
	r.git("add", "cli.txt")
	r.git("-c", "user.signingkey="+key.fpr, "commit", "--quiet", "-S", "-m", "signed change")
	raw := r.catFile("commit", "HEAD")
	g.Expect(string(raw)).To(ContainSubstring("gpgsig -----BEGIN PGP SIGNATURE-----"))
	res, err = v.VerifyCommit(raw)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Fingerprint).To(Equal(key.fpr))
	r.git("-c", "user.signingkey="+key.fpr, "tag", "-s", "-m", "signed change", "v1.0.0")
	tag := r.catFile("tag", "v1.0.0")
	res, err = v.VerifyTag(tag)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.KeyID).To(Equal(key.keyID))

	ve := expectVerificationError(g, mustFail(v.VerifyCommit(tamper(raw))), git.ErrInvalidSignature)
	g.Expect(ve.KeyID).To(Equal(key.keyID))
	g.Expect(ve.Error()).To(ContainSubstring("openpgp key " + key.keyID))
	expectVerificationError(g, mustFail(v.VerifyTag(tamper(tag))), git.ErrInvalidSignature)

	wrong, err := signature.NewVerifier(signature.TrustedKeys{OpenPGPKeyRings: [][]byte{other.public}})
	g.Expect(err).NotTo(HaveOccurred())
	expectVerificationError(g, mustFail(wrong.VerifyCommit(raw)), git.ErrNoMatchingKey)
	none, err := signature.NewVerifier(signature.TrustedKeys{})
	g.Expect(err).NotTo(HaveOccurred())
	expectVerificationError(g, mustFail(none.VerifyTag(tag)), git.ErrNoMatchingKey)
}

func TestVerifyUnsignedAndMalformed(t *testing.T) {
	g := NewWithT(t)
	key := newSSHKey(t, "ed25519")
	v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte("a " + key.public)})
	g.Expect(err).NotTo(HaveOccurred())
	r := newRepo(t)
	r.git("commit", "--quiet", "--allow-empty", "-m", "signed change")
	r.git("tag", "-a", "-m", "signed change", "v1")
	r.git("tag", "light")
	commit := r.catFile("commit", "HEAD")

	ve := expectVerificationError(g, mustFail(v.VerifyCommit(commit)), git.ErrNoSignature)
	g.Expect(ve.Hash.Hex).To(Equal(r.git("rev-parse", "HEAD")))
	g.Expect(ve.Error()).To(Equal("verify commit " + ve.Hash.Hex + ": object is not signed"))
	expectVerificationError(g, mustFail(v.VerifyTag(r.catFile("tag", "v1"))), git.ErrNoSignature)

	sign := func(sig string) []byte {
		header, message, _ := bytes.Cut(commit, []byte("\n\n"))
		return []byte(string(header) + "\ngpgsig " + sig + "\n\n" + string(message))
	}
	for name, raw := range map[string][]byte{
		"not a commit":     []byte("blob\n"),
		"short tree id":    []byte("tree 1234\n\nmsg\n"),
		"unknown armour":   sign("-----BEGIN FOO-----\n abc\n -----END FOO-----"),
		"x509":             sign("-----BEGIN SIGNED MESSAGE-----\n abc\n -----END SIGNED MESSAGE-----"),
		"bad pgp armour":   sign("-----BEGIN PGP SIGNATURE-----\n \n !!!\n -----END PGP SIGNATURE-----"),
		"bad ssh armour":   sign("-----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----"),
		"two gpgsig lines": sign("-----BEGIN SSH SIGNATURE-----\ngpgsig x"),
	} {
		_, err := v.VerifyCommit(raw)
		expectVerificationError(g, err, git.ErrMalformedSignature)
		g.Expect(err).NotTo(MatchError(git.ErrNoSignature), name)
	}
	_, err = v.VerifyTag([]byte("tree abc\n"))
	expectVerificationError(g, err, git.ErrMalformedSignature)
	_, err = v.VerifyTag([]byte("object " + r.git("rev-parse", "HEAD") + "\ntype commit\n\nmsg\n-----BEGIN SIGNED MESSAGE-----\nx\n"))
	expectVerificationError(g, err, git.ErrMalformedSignature)
}

func TestSSHSignatureInAnotherNamespace(t *testing.T) {
	g := NewWithT(t)
	key := newSSHKey(t, "ed25519")
	r := newRepo(t)
	r.git("commit", "--quiet", "--allow-empty", "-m", "signed change")
	payload := r.catFile("commit", "HEAD")
	// ssh-keygen signs the payload for the "file" namespace.
	payloadFile := filepath.Join(t.TempDir(), "payload")
	g.Expect(os.WriteFile(payloadFile, payload, 0o600)).To(Succeed())
	out, err := r.run(nil, "ssh-keygen", "-Y", "sign", "-f", key.file, "-n", "file", payloadFile)
	g.Expect(err).NotTo(HaveOccurred(), out)
	sig, err := os.ReadFile(payloadFile + ".sig") // #nosec G304 -- test file.
	g.Expect(err).NotTo(HaveOccurred())
	hash := r.insertSignature(payload, sig)
	v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte("a " + key.public)})
	g.Expect(err).NotTo(HaveOccurred())
	expectVerificationError(g, mustFail(v.VerifyCommit(r.catFile("commit", hash))), git.ErrInvalidSignature)
}

func TestNewVerifierErrors(t *testing.T) {
	key := newSSHKey(t, "ed25519")
	for name, keys := range map[string]signature.TrustedKeys{
		"bad key ring":       {OpenPGPKeyRings: [][]byte{[]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n")}},
		"not armoured":       {OpenPGPKeyRings: [][]byte{[]byte("garbage")}},
		"principal only":     {AllowedSigners: []byte("test@sluice.invalid\n")},
		"bad key":            {AllowedSigners: []byte("test@sluice.invalid ssh-ed25519 AAAAnot-base64\n")},
		"unknown option":     {AllowedSigners: []byte("test@sluice.invalid no-touch-required " + key.public + "\n")},
		"bad validity":       {AllowedSigners: []byte(`test@sluice.invalid valid-after="yesterday" ` + key.public + "\n")},
		"unterminated quote": {AllowedSigners: []byte(`"test@sluice.invalid ` + key.public + "\n")},
	} {
		_, err := signature.NewVerifier(keys)
		NewWithT(t).Expect(err).To(MatchError(git.ErrInvalidKey), name)
	}
}

func TestNewSignerErrors(t *testing.T) {
	pgpEncrypted := newPGPKey(t, "pgp-passphrase")
	ssh := newSSHKey(t, "ed25519")
	pubOnly := newPGPKey(t, "")
	tests := map[string]git.SigningKey{
		"garbage":                       {PrivateKey: []byte("secret-garbage")},
		"unknown format":                {Format: "x509", PrivateKey: ssh.private},
		"pgp without passphrase":        {PrivateKey: pgpEncrypted.private},
		"pgp wrong passphrase":          {PrivateKey: pgpEncrypted.private, Passphrase: []byte("secret-wrong")},
		"pgp public key only":           {Format: git.SignatureOpenPGP, PrivateKey: pubOnly.public},
		"pgp bad armour":                {PrivateKey: []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nsecret\n-----END PGP PRIVATE KEY BLOCK-----\n")},
		"ssh bad key":                   {Format: git.SignatureSSH, PrivateKey: []byte("secret-garbage")},
		"ssh passphrase on a plain key": {PrivateKey: ssh.private, Passphrase: []byte("secret-value")},
	}
	for name, key := range tests {
		_, err := signature.NewSigner(key)
		g := NewWithT(t)
		g.Expect(err).To(MatchError(git.ErrInvalidKey), name)
		g.Expect(err.Error()).NotTo(ContainSubstring("secret"), name)
	}
	s, err := signature.NewSigner(git.SigningKey{PrivateKey: pgpEncrypted.private, Passphrase: []byte("pgp-passphrase")})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(s.KeyID()).To(Equal(pgpEncrypted.keyID))
}

func mustFail(_ *git.VerifiedSignature, err error) error { return err }

func TestSHA256Repository(t *testing.T) {
	g := NewWithT(t)
	key := newSSHKey(t, "ed25519")
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "--quiet", "--object-format=sha256", "--initial-branch=main")
	r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+key.file, "commit", "--quiet", "--allow-empty", "-S", "-m", "signed change")
	r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+key.file, "tag", "-s", "-m", "signed change", "v1")
	raw := r.catFile("commit", "HEAD")
	g.Expect(string(raw)).To(ContainSubstring("\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----"))
	v, err := signature.NewVerifier(signature.TrustedKeys{AllowedSigners: []byte("test@sluice.invalid " + key.public)})
	g.Expect(err).NotTo(HaveOccurred())
	res, err := v.VerifyCommit(raw)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.KeyID).To(Equal(key.fp))
	_, err = v.VerifyTag(r.catFile("tag", "v1"))
	g.Expect(err).NotTo(HaveOccurred())
	ve := expectVerificationError(g, mustFail(v.VerifyCommit(tamper(raw))), git.ErrInvalidSignature)
	g.Expect(ve.Hash.Algorithm).To(Equal(version.SHA256))

	// Our signature in the gpgsig-sha256 header passes git verify-commit.
	s, err := signature.NewSigner(git.SigningKey{PrivateKey: key.private})
	g.Expect(err).NotTo(HaveOccurred())
	r.git("commit", "--quiet", "--allow-empty", "-m", "signed change")
	payload := r.catFile("commit", "HEAD")
	sig, err := s.Sign(bytes.NewReader(payload))
	g.Expect(err).NotTo(HaveOccurred())
	header, message, _ := bytes.Cut(payload, []byte("\n\n"))
	signed := string(header) + "\ngpgsig-sha256 " + strings.ReplaceAll(strings.TrimSuffix(string(sig), "\n"), "\n", "\n ") + "\n\n" + string(message)
	out, err := r.run([]byte(signed), "git", "hash-object", "-t", "commit", "-w", "--stdin")
	g.Expect(err).NotTo(HaveOccurred(), out)
	allowedFile := filepath.Join(t.TempDir(), "allowed_signers")
	g.Expect(os.WriteFile(allowedFile, []byte("test@sluice.invalid "+key.public+"\n"), 0o600)).To(Succeed())
	out, err = r.run(nil, "git", "-c", "gpg.ssh.allowedSignersFile="+allowedFile, "verify-commit", strings.TrimSpace(out))
	g.Expect(err).NotTo(HaveOccurred(), out)
}

// TestOpenPGPRoundTrip runs without gpg: our signatures, our verification.
func TestOpenPGPRoundTrip(t *testing.T) {
	g := NewWithT(t)
	key := newPGPKey(t, "pgp-passphrase")
	other := newPGPKey(t, "")
	s, err := signature.NewSigner(git.SigningKey{PrivateKey: key.private, Passphrase: []byte("pgp-passphrase")})
	g.Expect(err).NotTo(HaveOccurred())
	payload := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1704067200 +0000\ncommitter A <a@b> 1704067200 +0000\n\nsigned change\n"
	sig, err := s.Sign(strings.NewReader(payload))
	g.Expect(err).NotTo(HaveOccurred())
	header, message, _ := strings.Cut(payload, "\n\n")
	commit := []byte(header + "\ngpgsig " + strings.ReplaceAll(strings.TrimSuffix(string(sig), "\n"), "\n", "\n ") + "\n\n" + message)
	v, err := signature.NewVerifier(signature.TrustedKeys{OpenPGPKeyRings: [][]byte{key.public}})
	g.Expect(err).NotTo(HaveOccurred())
	res, err := v.VerifyCommit(commit)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*res).To(Equal(git.VerifiedSignature{Format: git.SignatureOpenPGP, KeyID: key.keyID, Fingerprint: key.fpr, Signer: "Sluice Test <test@sluice.invalid>"}))
	expectVerificationError(g, mustFail(v.VerifyCommit(tamper(commit))), git.ErrInvalidSignature)
	wrong, err := signature.NewVerifier(signature.TrustedKeys{OpenPGPKeyRings: [][]byte{other.public}})
	g.Expect(err).NotTo(HaveOccurred())
	ve := expectVerificationError(g, mustFail(wrong.VerifyCommit(commit)), git.ErrNoMatchingKey)
	g.Expect(ve.KeyID).To(Equal(key.keyID))
}
