package signature

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
)

// Namespace is the SSH signature namespace of Git objects.
const Namespace = "git"

// Signer signs Git objects with one private key. Its Sign method has the
// shape of go-git's Signer interface. Build it with NewSigner.
type Signer struct {
	format git.SignatureFormat
	entity *openpgp.Entity
	ssh    ssh.Signer
	keyID  string
}

// NewSigner parses key and returns a Signer. An OpenPGP key ring signs with
// its first entity that holds a private key able to sign (a signing subkey
// when it has one); an SSH key signs in namespace "git" with SHA-512, as
// git does.
//
// It returns an error wrapping git.ErrInvalidKey when the key cannot be
// parsed, its format is unknown, it is encrypted and the passphrase is
// missing or wrong, or it holds no key able to sign.
func NewSigner(key git.SigningKey) (*Signer, error) {
	format := key.Format
	if format == "" {
		format = detectKeyFormat(key.PrivateKey)
	}
	switch format {
	case git.SignatureOpenPGP:
		return newOpenPGPSigner(key)
	case git.SignatureSSH:
		return newSSHSigner(key)
	default:
		return nil, fmt.Errorf("new signer: %w: unknown key format %q", git.ErrInvalidKey, format)
	}
}

// detectKeyFormat tells an armoured OpenPGP key from an SSH key.
func detectKeyFormat(b []byte) git.SignatureFormat {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.HasPrefix(b, []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")):
		return git.SignatureOpenPGP
	case bytes.HasPrefix(b, []byte("-----BEGIN ")) && bytes.Contains(b[:min(len(b), 64)], []byte("PRIVATE KEY-----")):
		return git.SignatureSSH
	default:
		return ""
	}
}

func newOpenPGPSigner(key git.SigningKey) (*Signer, error) {
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(key.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("new signer: %w: cannot parse OpenPGP key ring", git.ErrInvalidKey)
	}
	now := time.Now()
	for _, e := range ring {
		if e.PrivateKey == nil {
			continue
		}
		k, ok := e.SigningKey(now)
		if !ok || k.PrivateKey == nil {
			continue
		}
		if k.PrivateKey.Encrypted || e.PrivateKey.Encrypted {
			if len(key.Passphrase) == 0 {
				return nil, fmt.Errorf("new signer: %w: key is encrypted and no passphrase given", git.ErrInvalidKey)
			}
			if err := e.DecryptPrivateKeys(key.Passphrase); err != nil {
				return nil, fmt.Errorf("new signer: %w: wrong passphrase", git.ErrInvalidKey)
			}
		}
		return &Signer{format: git.SignatureOpenPGP, entity: e, keyID: k.PublicKey.KeyIdString()}, nil
	}
	return nil, fmt.Errorf("new signer: %w: no OpenPGP private key able to sign", git.ErrInvalidKey)
}

func newSSHSigner(key git.SigningKey) (*Signer, error) {
	var (
		s   ssh.Signer
		err error
	)
	if len(key.Passphrase) > 0 {
		s, err = ssh.ParsePrivateKeyWithPassphrase(key.PrivateKey, key.Passphrase)
	} else {
		s, err = ssh.ParsePrivateKey(key.PrivateKey)
	}
	if err != nil {
		var missing *ssh.PassphraseMissingError
		reason := "cannot parse SSH private key"
		switch {
		case errors.As(err, &missing):
			reason = "key is encrypted and no passphrase given"
		case len(key.Passphrase) > 0:
			reason = "cannot parse SSH private key or wrong passphrase"
		}
		return nil, fmt.Errorf("new signer: %w: %s", git.ErrInvalidKey, reason)
	}
	return &Signer{format: git.SignatureSSH, ssh: s, keyID: ssh.FingerprintSHA256(s.PublicKey())}, nil
}

// Format returns the format of the signatures s makes.
func (s *Signer) Format() git.SignatureFormat { return s.format }

// KeyID returns the key that signs, as VerifiedSignature.KeyID names it: the
// upper-case hex OpenPGP key ID of the signing (sub)key, or the SHA-256
// fingerprint of the SSH key.
func (s *Signer) KeyID() string { return s.keyID }

// Sign reads the payload (a commit or tag without its signature) and
// returns its armoured signature, as Git stores it.
func (s *Signer) Sign(payload io.Reader) ([]byte, error) {
	switch s.format {
	case git.SignatureOpenPGP:
		var b bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&b, s.entity, payload, nil); err != nil {
			return nil, fmt.Errorf("sign with OpenPGP key %s: %w", s.keyID, err)
		}
		return b.Bytes(), nil
	default:
		sig, err := sshsig.Sign(payload, s.ssh, sshsig.HashSHA512, Namespace)
		if err != nil {
			return nil, fmt.Errorf("sign with SSH key %s: %w", s.keyID, err)
		}
		return sshsig.Armor(sig), nil
	}
}
