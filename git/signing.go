package git

import (
	"errors"
	"fmt"
)

// SignatureFormat is the kind of cryptographic signature on a commit or tag.
type SignatureFormat string

// Signature formats Git writes.
const (
	// SignatureOpenPGP is an OpenPGP signature, as gpg makes it.
	SignatureOpenPGP SignatureFormat = "openpgp"
	// SignatureSSH is an SSH signature (ssh-keygen -Y sign, namespace "git"),
	// as git makes it with gpg.format=ssh.
	SignatureSSH SignatureFormat = "ssh"
	// SignatureX509 is an X.509 (S/MIME) signature, as gpgsm makes it. It is
	// recognised but not verified.
	SignatureX509 SignatureFormat = "x509"
)

// SigningKey is a private key that signs commits. It is plain data: a
// controller usually fills it from a Secret.
type SigningKey struct {
	// Format is the signature format. Default empty: detected from
	// PrivateKey, whose armour tells an OpenPGP key from an SSH key.
	Format SignatureFormat
	// PrivateKey is an ASCII-armoured OpenPGP secret key ring, whose first
	// key able to sign is used, or an SSH private key in OpenSSH or PEM
	// format. Required.
	PrivateKey []byte
	// Passphrase decrypts PrivateKey. Default empty: the key is not
	// encrypted.
	Passphrase []byte
}

// VerifiedSignature describes the key that made a valid signature. It is
// plain data.
type VerifiedSignature struct {
	// Format is the signature format.
	Format SignatureFormat
	// KeyID identifies the key that signed: for OpenPGP the 16 upper-case
	// hex digits of the (sub)key ID, for SSH the key's SHA-256 fingerprint
	// ("SHA256:..."), as ssh-keygen prints it.
	KeyID string
	// Fingerprint is the fingerprint of the key that signed: for OpenPGP the
	// upper-case hex fingerprint of the signing (sub)key, for SSH the same
	// as KeyID.
	Fingerprint string
	// Signer names whom the key belongs to: for OpenPGP the primary user ID
	// of the key ("Name <email>"), for SSH the principals of the matching
	// allowed-signers line.
	Signer string
}

// Sentinel errors of signing and verification, in the chain of a
// *VerificationError (verification) or returned wrapped (signing).
var (
	// ErrNoSignature means the commit or tag carries no signature. Do not
	// retry.
	ErrNoSignature = errors.New("object is not signed")
	// ErrNoMatchingKey means no trusted key (OpenPGP key ring or SSH allowed
	// signer for namespace "git") made the signature. Do not retry.
	ErrNoMatchingKey = errors.New("no trusted key matches the signature")
	// ErrMalformedSignature means the signature, or the object around it,
	// cannot be parsed, or its format cannot be verified (such as x509).
	// Do not retry.
	ErrMalformedSignature = errors.New("malformed signature")
	// ErrInvalidSignature means a trusted key made the signature but it does
	// not match the content (the object was changed after signing), or the
	// key or signature is expired or revoked. Do not retry: it may be an
	// attack.
	ErrInvalidSignature = errors.New("signature does not verify")
	// ErrInvalidKey means a signing key, OpenPGP key ring or allowed-signers
	// list cannot be used: unparsable, encrypted without (or with a wrong)
	// passphrase, or holding no key able to sign. Messages never contain key
	// material.
	ErrInvalidKey = errors.New("invalid key")
)

// VerificationError reports a commit or tag whose signature was not
// accepted. Do not retry.
type VerificationError struct {
	// Object is the kind of object, "commit" or "tag".
	Object string
	// Hash is the object id of the commit or tag, when known.
	Hash Hash
	// Format is the format of the signature, empty when there is none or it
	// cannot be recognised.
	Format SignatureFormat
	// KeyID is the key the signature claims to come from (OpenPGP issuer key
	// ID or SSH fingerprint), empty when unknown.
	KeyID string
	// Err is ErrNoSignature, ErrNoMatchingKey, ErrMalformedSignature or
	// ErrInvalidSignature, possibly joined with the cause.
	Err error
}

// Error implements error.
func (e *VerificationError) Error() string {
	s := "verify " + e.Object
	if !e.Hash.IsZero() {
		s += " " + e.Hash.Hex
	}
	if e.KeyID != "" {
		s += fmt.Sprintf(" (%s key %s)", e.Format, e.KeyID)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the sentinel and the cause.
func (e *VerificationError) Unwrap() error { return e.Err }
