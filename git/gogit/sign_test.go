package gogit_test

import (
	"bytes"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/git/signature"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

// signingKeys are an SSH and an OpenPGP key, with what the git CLI needs
// to use or trust them.
type signingKeys struct {
	sshPrivate   []byte // encrypted with passphrase
	sshFile      string // unencrypted private key file, mode 0600
	sshPublic    string // authorized_keys form
	sshFP        string
	allowedFile  string // allowed-signers file trusting sshPublic
	pgpPrivate   []byte // armoured, encrypted with passphrase
	pgpPublic    []byte
	pgpFPR       string
	pgpKeyID     string
	gnupg        string // gpg home holding the OpenPGP key, "" without gpg
	passphrase   string
	pgpPlainPriv []byte
}

func newSigningKeys(t *testing.T) signingKeys { return makeSigningKeys(t, true) }

// otherVerifier trusts fresh keys that signed nothing.
func otherVerifier(t *testing.T) *signature.Verifier {
	t.Helper()
	return makeSigningKeys(t, false).verifier(t)
}

func makeSigningKeys(t *testing.T, importGPG bool) signingKeys {
	t.Helper()
	g := NewWithT(t)
	k := signingKeys{passphrase: "sign-passphrase"}

	plain, signer := newKey(t)
	k.sshFile = filepath.Join(t.TempDir(), "id_ed25519")
	g.Expect(os.WriteFile(k.sshFile, plain, 0o600)).To(Succeed())
	raw, err := ssh.ParseRawPrivateKey(plain)
	g.Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKeyWithPassphrase(raw, "", []byte(k.passphrase))
	g.Expect(err).NotTo(HaveOccurred())
	k.sshPrivate = pem.EncodeToMemory(block)
	k.sshPublic = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	k.sshFP = ssh.FingerprintSHA256(signer.PublicKey())
	k.allowedFile = filepath.Join(t.TempDir(), "allowed_signers")
	g.Expect(os.WriteFile(k.allowedFile, []byte("bot@sluice.invalid "+k.sshPublic+"\n"), 0o600)).To(Succeed())

	e, err := openpgp.NewEntity("Sluice Bot", "", "bot@sluice.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	g.Expect(err).NotTo(HaveOccurred())
	k.pgpPublic = armoured(t, openpgp.PublicKeyType, e.Serialize)
	k.pgpPlainPriv = armoured(t, openpgp.PrivateKeyType, func(w io.Writer) error { return e.SerializePrivateWithoutSigning(w, nil) })
	g.Expect(e.EncryptPrivateKeys([]byte(k.passphrase), nil)).To(Succeed())
	k.pgpPrivate = armoured(t, openpgp.PrivateKeyType, func(w io.Writer) error { return e.SerializePrivateWithoutSigning(w, nil) })
	k.pgpFPR = strings.ToUpper(hexString(e.PrimaryKey.Fingerprint))
	sk, ok := e.SigningKey(e.PrimaryKey.CreationTime)
	g.Expect(ok).To(BeTrue())
	k.pgpKeyID = sk.PublicKey.KeyIdString()

	if _, err := exec.LookPath("gpg"); err == nil && importGPG {
		home, err := os.MkdirTemp("", "gpg-") // short: gpg-agent sockets live there
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(os.Chmod(home, 0o700)).To(Succeed())
		t.Cleanup(func() {
			cmd := exec.CommandContext(t.Context(), "gpgconf", "--kill", "all") // #nosec G204 -- test command.
			cmd.Env = gitEnv("GNUPGHOME=" + home)
			_ = cmd.Run()
			_ = os.RemoveAll(home)
		})
		cmd := exec.CommandContext(t.Context(), "gpg", "--batch", "--import") // #nosec G204 -- test command.
		cmd.Env = gitEnv("GNUPGHOME=" + home)
		cmd.Stdin = bytes.NewReader(k.pgpPlainPriv)
		out, err := cmd.CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), string(out))
		k.gnupg = home
	}
	return k
}

func armoured(t *testing.T, kind string, write func(io.Writer) error) []byte {
	t.Helper()
	g := NewWithT(t)
	var b bytes.Buffer
	w, err := armor.Encode(&b, kind, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(write(w)).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	return b.Bytes()
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

func (k signingKeys) verifier(t *testing.T) *signature.Verifier {
	t.Helper()
	v, err := signature.NewVerifier(signature.TrustedKeys{
		OpenPGPKeyRings: [][]byte{k.pgpPublic},
		AllowedSigners:  []byte("bot@sluice.invalid " + k.sshPublic + "\n"),
	})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return v
}

func TestSignedCommitsPassGitVerifyCommit(t *testing.T) {
	f := newFixture(t)
	keys := newSigningKeys(t)
	v := keys.verifier(t)
	ctx := t.Context()
	tests := []struct {
		name    string
		key     git.SigningKey
		format  git.SignatureFormat
		keyID   string
		gitArgs []string
		gitEnv  []string
		needGPG bool
	}{
		{name: "ssh", key: git.SigningKey{PrivateKey: keys.sshPrivate, Passphrase: []byte(keys.passphrase)},
			format: git.SignatureSSH, keyID: keys.sshFP, gitArgs: []string{"-c", "gpg.ssh.allowedSignersFile=" + keys.allowedFile}},
		{name: "openpgp", key: git.SigningKey{Format: git.SignatureOpenPGP, PrivateKey: keys.pgpPrivate, Passphrase: []byte(keys.passphrase)},
			format: git.SignatureOpenPGP, keyID: keys.pgpKeyID, gitEnv: []string{"GNUPGHOME=" + keys.gnupg}, needGPG: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needGPG && keys.gnupg == "" {
				t.Skip("gpg not installed")
			}
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, f.sshAuth(t))
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(ctx, f.srv.SSHURL(f.repo), git.CloneOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.SwitchBranch(ctx, "signed-"+tt.name, git.SwitchBranchOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Commit(ctx, git.CommitOptions{
				Message:    "signed change\n\nwith a body\n",
				Author:     bot,
				Files:      map[string][]byte{"signed.txt": []byte(tt.name)},
				SigningKey: &tt.key,
			})
			g.Expect(err).NotTo(HaveOccurred())

			// The git CLI accepts the signature, in the clone and on the
			// server after a push.
			out, err := runGit(t, dir, tt.gitEnv, append(tt.gitArgs, "verify-commit", "-v", "HEAD")...)
			g.Expect(err).NotTo(HaveOccurred(), out)
			g.Expect(out).To(ContainSubstring("Good"))
			g.Expect(c.Push(ctx, git.PushOptions{})).To(Succeed())
			out, err = runGit(t, filepath.Join(f.srv.Root(), f.repo), tt.gitEnv, append(tt.gitArgs, "verify-commit", commit.Hash.Hex)...)
			g.Expect(err).NotTo(HaveOccurred(), out)

			// So do we.
			res, err := c.VerifyCommit(ctx, "", v)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.Format).To(Equal(tt.format))
			g.Expect(res.KeyID).To(Equal(tt.keyID))
			res, err = c.VerifyCommit(ctx, commit.Hash.Hex, v)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.KeyID).To(Equal(tt.keyID))

			// A key ring without the key: no matching key.
			_, err = c.VerifyCommit(ctx, "HEAD", otherVerifier(t))
			g.Expect(err).To(MatchError(git.ErrNoMatchingKey))
			// The parent is not signed.
			_, err = c.VerifyCommit(ctx, "HEAD~1", v)
			g.Expect(err).To(MatchError(git.ErrNoSignature))
		})
	}
}

func TestVerifyCommitsAndTagsSignedByGit(t *testing.T) {
	f := newFixture(t)
	keys := newSigningKeys(t)
	v := keys.verifier(t)
	ctx := t.Context()
	signers := map[string]gitserver.Signer{"ssh": {Format: gitserver.SignSSH, Key: keys.sshFile}}
	if keys.gnupg != "" {
		signers["openpgp"] = gitserver.Signer{Format: gitserver.SignOpenPGP, Key: keys.pgpFPR, GNUPGHome: keys.gnupg}
	} else {
		t.Log("gpg not installed: OpenPGP signatures of the git CLI not tested")
	}
	for name, signer := range signers {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			branch := "cli-" + name
			hash, err := f.srv.Commit(ctx, f.repo, gitserver.CommitOptions{Branch: branch, Message: "signed by git", Files: map[string]string{"x": name}, Signer: signer})
			g.Expect(err).NotTo(HaveOccurred())
			tag := "v9.0.0-" + name
			_, err = f.srv.CreateTag(ctx, f.repo, gitserver.TagOptions{Name: tag, Target: hash, Message: "signed tag", Signer: signer})
			g.Expect(err).NotTo(HaveOccurred())

			c, err := gogit.NewClient(target(t), nil)
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(ctx, f.srv.HTTPURL(f.repo), git.CloneOptions{Reference: git.CheckoutReference{Tag: tag}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(commit.Hash.Hex).To(Equal(hash))

			res, err := c.VerifyCommit(ctx, "", v)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(string(res.Format)).To(Equal(signer.Format.String()))
			_, err = c.VerifyCommit(ctx, tag, v) // the tag names its commit
			g.Expect(err).NotTo(HaveOccurred())
			res, err = c.VerifyTag(ctx, tag, v)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(string(res.Format)).To(Equal(signer.Format.String()))
			if signer.Format == gitserver.SignSSH {
				g.Expect(res.KeyID).To(Equal(keys.sshFP))
			} else {
				g.Expect(res.Fingerprint).To(Equal(keys.pgpFPR))
			}
			_, err = c.VerifyTag(ctx, tag, otherVerifier(t))
			g.Expect(err).To(MatchError(git.ErrNoMatchingKey))
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	ctx := t.Context()
	v := otherVerifier(t)
	dir := target(t)
	c, err := gogit.NewClient(dir, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.VerifyCommit(ctx, "", v)
	g.Expect(err).To(MatchError(git.ErrNotRepository))
	_, err = c.Clone(ctx, f.srv.HTTPURL(f.repo), git.CloneOptions{Reference: git.CheckoutReference{Tag: "v1.0.0"}})
	g.Expect(err).NotTo(HaveOccurred())

	_, err = c.VerifyCommit(ctx, "", v)
	var ve *git.VerificationError
	g.Expect(errorsAs(err, &ve)).To(BeTrue())
	g.Expect(ve.Hash.Hex).To(Equal(f.c1))
	g.Expect(err).To(MatchError(git.ErrNoSignature))
	_, err = c.VerifyTag(ctx, "v1.0.0", v) // lightweight
	g.Expect(err).To(MatchError(git.ErrNoSignature))
	_, err = c.VerifyCommit(ctx, "no-such-branch", v)
	g.Expect(err).To(MatchError(git.ErrReferenceNotFound))
	_, err = c.VerifyTag(ctx, "v404", v)
	g.Expect(err).To(MatchError(git.ErrReferenceNotFound))
}
