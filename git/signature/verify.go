package signature

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
)

// TrustedKeys are the keys a Verifier accepts signatures from. Its zero
// value trusts nobody: every signature fails with git.ErrNoMatchingKey.
type TrustedKeys struct {
	// OpenPGPKeyRings are ASCII-armoured OpenPGP public (or secret) key
	// rings, as "gpg --export --armor" writes them. Default none.
	OpenPGPKeyRings [][]byte
	// AllowedSigners is an allowed-signers list in ssh-keygen's format
	// ("principals [options] keytype base64-key" per line), the content of
	// Git's gpg.ssh.allowedSignersFile. Default none.
	AllowedSigners []byte
}

// Verifier verifies the signatures of commits and tags against trusted
// keys. Build it with NewVerifier.
type Verifier struct {
	keyring openpgp.EntityList
	signers []allowedSigner
}

// NewVerifier parses keys and returns a Verifier. It returns an error
// wrapping git.ErrInvalidKey when a key ring or the allowed-signers list
// cannot be parsed, naming the ring or line at fault.
func NewVerifier(keys TrustedKeys) (*Verifier, error) {
	v := &Verifier{}
	for i, ring := range keys.OpenPGPKeyRings {
		el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(ring))
		if err != nil {
			return nil, fmt.Errorf("new verifier: OpenPGP key ring %d: %w", i, errors.Join(git.ErrInvalidKey, err))
		}
		v.keyring = append(v.keyring, el...)
	}
	signers, err := parseAllowedSigners(keys.AllowedSigners)
	if err != nil {
		return nil, fmt.Errorf("new verifier: %w", err)
	}
	v.signers = signers
	return v, nil
}

// VerifyCommit verifies the signature of a raw commit object, the bytes
// "git cat-file commit <hash>" prints, and returns the key that made it.
//
// It returns a *git.VerificationError wrapping git.ErrNoSignature for an
// unsigned commit, git.ErrNoMatchingKey when no trusted key made the
// signature, git.ErrMalformedSignature when the commit or its signature
// cannot be parsed or has an unsupported format, and
// git.ErrInvalidSignature when the signature does not match the commit.
func (v *Verifier) VerifyCommit(raw []byte) (*git.VerifiedSignature, error) {
	obj, err := splitCommit(raw)
	if err != nil {
		return nil, &git.VerificationError{Object: "commit", Err: errors.Join(git.ErrMalformedSignature, err)}
	}
	return v.verify(obj)
}

// VerifyTag verifies the signature of a raw annotated tag object, the bytes
// "git cat-file tag <hash>" prints, and returns the key that made it. It
// returns the errors VerifyCommit returns.
func (v *Verifier) VerifyTag(raw []byte) (*git.VerifiedSignature, error) {
	obj, err := splitTag(raw)
	if err != nil {
		return nil, &git.VerificationError{Object: "tag", Err: errors.Join(git.ErrMalformedSignature, err)}
	}
	return v.verify(obj)
}

func (v *Verifier) verify(obj signedObject) (*git.VerifiedSignature, error) {
	fail := func(format git.SignatureFormat, keyID string, err error) (*git.VerifiedSignature, error) {
		return nil, &git.VerificationError{Object: obj.kind, Hash: obj.hash, Format: format, KeyID: keyID, Err: err}
	}
	if len(obj.signature) == 0 {
		return fail("", "", git.ErrNoSignature)
	}
	switch f := formatOf(obj.signature); f {
	case git.SignatureOpenPGP:
		res, keyID, err := v.verifyOpenPGP(obj)
		if err != nil {
			return fail(f, keyID, err)
		}
		return res, nil
	case git.SignatureSSH:
		res, keyID, err := v.verifySSH(obj)
		if err != nil {
			return fail(f, keyID, err)
		}
		return res, nil
	case git.SignatureX509:
		return fail(f, "", fmt.Errorf("%w: x509 signatures are not supported", git.ErrMalformedSignature))
	default:
		return fail("", "", fmt.Errorf("%w: unknown signature armour", git.ErrMalformedSignature))
	}
}

func (v *Verifier) verifyOpenPGP(obj signedObject) (*git.VerifiedSignature, string, error) {
	block, err := armor.Decode(bytes.NewReader(obj.signature))
	if err != nil {
		return nil, "", errors.Join(git.ErrMalformedSignature, err)
	}
	if block.Type != openpgp.SignatureType {
		return nil, "", fmt.Errorf("%w: armour type %q", git.ErrMalformedSignature, block.Type)
	}
	body, err := io.ReadAll(block.Body)
	if err != nil {
		return nil, "", errors.Join(git.ErrMalformedSignature, err)
	}
	p, err := packet.Read(bytes.NewReader(body))
	if err != nil {
		return nil, "", errors.Join(git.ErrMalformedSignature, err)
	}
	claimed, ok := p.(*packet.Signature)
	if !ok || claimed.IssuerKeyId == nil {
		return nil, "", fmt.Errorf("%w: no signature packet with an issuer", git.ErrMalformedSignature)
	}
	keyID := fmt.Sprintf("%016X", *claimed.IssuerKeyId)
	if len(v.keyring) == 0 {
		return nil, keyID, git.ErrNoMatchingKey
	}
	sig, entity, err := openpgp.VerifyDetachedSignature(v.keyring, bytes.NewReader(obj.payload), bytes.NewReader(body), nil)
	var structural pgperrors.StructuralError
	var unsupported pgperrors.UnsupportedError
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return nil, keyID, git.ErrNoMatchingKey
	case errors.As(err, &structural), errors.As(err, &unsupported):
		return nil, keyID, errors.Join(git.ErrMalformedSignature, err)
	case err != nil:
		return nil, keyID, errors.Join(git.ErrInvalidSignature, err)
	case sig == nil || entity == nil || sig.IssuerKeyId == nil:
		return nil, keyID, git.ErrInvalidSignature
	}
	res := &git.VerifiedSignature{Format: git.SignatureOpenPGP, KeyID: fmt.Sprintf("%016X", *sig.IssuerKeyId)}
	res.Fingerprint = fingerprintOf(entity, *sig.IssuerKeyId)
	if id := entity.PrimaryIdentity(); id != nil {
		res.Signer = id.Name
	}
	return res, res.KeyID, nil
}

// fingerprintOf returns the upper-case hex fingerprint of the key of entity
// whose ID is id.
func fingerprintOf(e *openpgp.Entity, id uint64) string {
	if e.PrimaryKey.KeyId == id {
		return strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint))
	}
	for _, sk := range e.Subkeys {
		if sk.PublicKey.KeyId == id {
			return strings.ToUpper(fmt.Sprintf("%x", sk.PublicKey.Fingerprint))
		}
	}
	return ""
}

func (v *Verifier) verifySSH(obj signedObject) (*git.VerifiedSignature, string, error) {
	sig, err := sshsig.Unarmor(obj.signature)
	if err != nil {
		return nil, "", errors.Join(git.ErrMalformedSignature, err)
	}
	if err := sig.HashAlgorithm.Supported(); err != nil {
		return nil, "", errors.Join(git.ErrMalformedSignature, err)
	}
	keyID := ssh.FingerprintSHA256(sig.PublicKey)
	if sig.Namespace != Namespace {
		return nil, keyID, fmt.Errorf("%w: namespace %q, want %q", git.ErrInvalidSignature, sig.Namespace, Namespace)
	}
	var match *allowedSigner
	for i := range v.signers {
		if v.signers[i].admits(sig.PublicKey, Namespace, obj.when) {
			match = &v.signers[i]
			break
		}
	}
	if match == nil {
		return nil, keyID, git.ErrNoMatchingKey
	}
	if err := sshsig.Verify(bytes.NewReader(obj.payload), sig, match.key, sig.HashAlgorithm, Namespace); err != nil {
		return nil, keyID, errors.Join(git.ErrInvalidSignature, err)
	}
	return &git.VerifiedSignature{Format: git.SignatureSSH, KeyID: keyID, Fingerprint: keyID, Signer: match.principals}, keyID, nil
}
