package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature"
)

// publicKey is a trusted key with the verifiers to try for it: the hash
// sigstore-go picks by default for the key type (SHA-384 for P-384, for
// instance) and SHA-256, which cosign's legacy signatures use for every
// ECDSA and RSA key.
type publicKey struct {
	fingerprint string
	verifiers   []signature.Verifier
}

// parsePublicKeys reads every PEM block of every input.
func parsePublicKeys(pemKeys [][]byte) ([]publicKey, error) {
	var keys []publicKey
	for i, data := range pemKeys {
		n := 0
		for {
			var block *pem.Block
			block, data = pem.Decode(data)
			if block == nil {
				break
			}
			n++
			key, err := parsePublicKey(block)
			if err != nil {
				return nil, fmt.Errorf("public key %d, PEM block %d: %w", i, n, err)
			}
			keys = append(keys, key)
		}
		if n == 0 {
			return nil, fmt.Errorf("public key %d: no PEM block", i)
		}
	}
	return keys, nil
}

func parsePublicKey(block *pem.Block) (publicKey, error) {
	if block.Type != "PUBLIC KEY" {
		return publicKey{}, fmt.Errorf("PEM block type %q, want \"PUBLIC KEY\"", block.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return publicKey{}, fmt.Errorf("parse PKIX public key: %w", err)
	}
	switch pub.(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey:
	default:
		return publicKey{}, fmt.Errorf("unsupported public key type %T", pub)
	}
	def, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return publicKey{}, fmt.Errorf("load verifier: %w", err)
	}
	key := publicKey{fingerprint: fingerprint(block.Bytes), verifiers: []signature.Verifier{def}}
	if _, ok := pub.(ed25519.PublicKey); !ok {
		sha, err := signature.LoadVerifier(pub, crypto.SHA256)
		if err != nil {
			return publicKey{}, fmt.Errorf("load verifier: %w", err)
		}
		if details, err := signature.GetDefaultAlgorithmDetails(pub); err != nil || details.GetHashType() != crypto.SHA256 {
			key.verifiers = append(key.verifiers, sha)
		}
	}
	return key, nil
}

// fingerprint is "sha256:" and the hex SHA-256 of the DER
// SubjectPublicKeyInfo.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// KeyFingerprint returns the fingerprint [Result.KeyFingerprint] reports for
// the first public key in pemKey: "sha256:" followed by the lowercase hex
// SHA-256 of the key's DER SubjectPublicKeyInfo. It returns an error if
// pemKey holds no "PUBLIC KEY" PEM block of a supported type.
func KeyFingerprint(pemKey []byte) (string, error) {
	keys, err := parsePublicKeys([][]byte{pemKey})
	if err != nil {
		return "", fmt.Errorf("key fingerprint: %w", err)
	}
	return keys[0].fingerprint, nil
}
