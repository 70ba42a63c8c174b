package signature_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
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
)

// sshKey is an SSH key in the forms the git CLI and the signature package
// take.
type sshKey struct {
	private []byte // OpenSSH PEM
	file    string // private key file, mode 0600, for ssh-keygen
	public  string // "ssh-ed25519 AAAA..."
	fp      string // SHA256 fingerprint
}

func newSSHKey(t *testing.T, kind string) sshKey {
	t.Helper()
	g := NewWithT(t)
	var priv any
	switch kind {
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		g.Expect(err).NotTo(HaveOccurred())
		priv = k
	default:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		g.Expect(err).NotTo(HaveOccurred())
		priv = k
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	g.Expect(err).NotTo(HaveOccurred())
	signer, err := ssh.NewSignerFromKey(priv)
	g.Expect(err).NotTo(HaveOccurred())
	k := sshKey{
		private: pem.EncodeToMemory(block),
		file:    filepath.Join(t.TempDir(), "id_"+kind),
		public:  strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))),
		fp:      ssh.FingerprintSHA256(signer.PublicKey()),
	}
	g.Expect(os.WriteFile(k.file, k.private, 0o600)).To(Succeed())
	return k
}

// pgpKey is an OpenPGP key.
type pgpKey struct {
	private []byte // armoured secret key, encrypted when a passphrase was given
	public  []byte // armoured public key
	keyID   string // signing key ID
	fpr     string // primary fingerprint, upper-case hex
}

func newPGPKey(t *testing.T, passphrase string) pgpKey {
	t.Helper()
	g := NewWithT(t)
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA}
	e, err := openpgp.NewEntity("Sluice Test", "", "test@sluice.invalid", cfg)
	g.Expect(err).NotTo(HaveOccurred())
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(e.Serialize(w)).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	if passphrase != "" {
		g.Expect(e.EncryptPrivateKeys([]byte(passphrase), nil)).To(Succeed())
	}
	var priv bytes.Buffer
	w, err = armor.Encode(&priv, openpgp.PrivateKeyType, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(e.SerializePrivateWithoutSigning(w, nil)).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	sk, ok := e.SigningKey(e.PrimaryKey.CreationTime)
	g.Expect(ok).To(BeTrue())
	return pgpKey{
		private: priv.Bytes(),
		public:  pub.Bytes(),
		keyID:   sk.PublicKey.KeyIdString(),
		fpr:     strings.ToUpper(bytesHex(e.PrimaryKey.Fingerprint)),
	}
}

func bytesHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

// repo is a scratch repository driven by the real git CLI, isolated from
// the host's configuration.
type repo struct {
	t     *testing.T
	dir   string
	gnupg string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "--quiet", "--initial-branch=main")
	return r
}

func (r *repo) env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "GNUPGHOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C",
		"GIT_AUTHOR_NAME=Sluice Test", "GIT_AUTHOR_EMAIL=test@sluice.invalid",
		"GIT_COMMITTER_NAME=Sluice Test", "GIT_COMMITTER_EMAIL=test@sluice.invalid")
	if r.gnupg != "" {
		env = append(env, "GNUPGHOME="+r.gnupg)
	}
	return env
}

// run runs a command in the repository and returns its output and error.
func (r *repo) run(stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(r.t.Context(), name, args...) // #nosec G204 -- test commands.
	cmd.Dir = r.dir
	cmd.Env = r.env()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// git runs git and fails the test when it fails.
func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := r.run(nil, "git", args...)
	NewWithT(r.t).Expect(err).NotTo(HaveOccurred(), out)
	return strings.TrimSpace(out)
}

// catFile returns the raw object.
func (r *repo) catFile(kind, rev string) []byte {
	r.t.Helper()
	cmd := exec.CommandContext(r.t.Context(), "git", "cat-file", kind, rev) // #nosec G204 -- test command.
	cmd.Dir = r.dir
	cmd.Env = r.env()
	out, err := cmd.Output()
	NewWithT(r.t).Expect(err).NotTo(HaveOccurred())
	return out
}

// withGPG gives the repository its own gpg home, killed at cleanup. It
// skips the test when gpg is not installed.
func (r *repo) withGPG() {
	r.t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		r.t.Skip("gpg not installed")
	}
	// gpg-agent sockets need a short path.
	home, err := os.MkdirTemp("", "gpg-")
	NewWithT(r.t).Expect(err).NotTo(HaveOccurred())
	NewWithT(r.t).Expect(os.Chmod(home, 0o700)).To(Succeed())
	r.gnupg = home
	r.t.Cleanup(func() {
		_, _ = r.run(nil, "gpgconf", "--kill", "all")
		_ = os.RemoveAll(home)
	})
}

// gpgImport imports an armoured key into the repository's gpg home.
func (r *repo) gpgImport(key []byte) {
	r.t.Helper()
	out, err := r.run(key, "gpg", "--batch", "--import")
	NewWithT(r.t).Expect(err).NotTo(HaveOccurred(), out)
}

// insertSignature adds a gpgsig header to a raw commit and stores it,
// returning the new commit's hash.
func (r *repo) insertSignature(payload, sig []byte) string {
	r.t.Helper()
	header, message, _ := bytes.Cut(payload, []byte("\n\n"))
	lines := strings.Split(strings.TrimSuffix(string(sig), "\n"), "\n")
	signed := string(header) + "\ngpgsig " + strings.Join(lines, "\n ") + "\n\n" + string(message)
	out, err := r.run([]byte(signed), "git", "hash-object", "-t", "commit", "-w", "--stdin")
	NewWithT(r.t).Expect(err).NotTo(HaveOccurred(), out)
	return strings.TrimSpace(out)
}

// tamper changes the message of a raw object.
func tamper(raw []byte) []byte {
	return bytes.Replace(raw, []byte("signed change"), []byte("signed chAnge"), 1)
}
