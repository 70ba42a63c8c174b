// Package signature signs Git objects and verifies the signatures of Git
// commits and tags, in the two formats Git writes: OpenPGP (gpg) and SSH
// (gpg.format=ssh, namespace "git"). It works on raw objects (the bytes
// "git cat-file commit <hash>" prints) and needs neither go-git nor a Git
// binary; package git/gogit uses it to sign commits and to verify HEAD, a
// commit or a tag of a repository.
//
// The calls a newcomer needs:
//
//	v, err := signature.NewVerifier(signature.TrustedKeys{
//		OpenPGPKeyRings: [][]byte{armoredPublicKeys}, // gpg --export --armor
//		AllowedSigners:  allowedSigners,              // gpg.ssh.allowedSignersFile
//	})
//	verified, err := v.VerifyCommit(rawCommit)
//	log.Info("signed", "key", verified.KeyID, "by", verified.Signer)
//
//	s, err := signature.NewSigner(git.SigningKey{PrivateKey: key})
//	sig, err := s.Sign(bytes.NewReader(payload)) // armoured signature
//
// # Verification rules
//
// A commit's signature is its "gpgsig" header ("gpgsig-sha256" in a SHA-256
// repository); the signed payload is the commit without its signature
// headers. A tag's signature is the armoured block that ends its message;
// the payload is everything before it. An SSH signature must be in
// namespace "git" and made by a key of the allowed-signers list whose
// namespaces option (if any) admits "git" and whose valid-after and
// valid-before options (if any) admit the committer or tagger date, as
// git verify-commit checks them. Lines with the cert-authority option never
// match, as SSH certificates are not supported. OpenPGP signatures are
// checked against the key rings at the current time: an expired or revoked
// key fails.
//
// # Concurrency
//
// A Verifier and a Signer are immutable once built and safe for concurrent
// use.
//
// # Errors
//
// Verification fails with a *git.VerificationError wrapping
// git.ErrNoSignature, git.ErrNoMatchingKey, git.ErrMalformedSignature or
// git.ErrInvalidSignature. NewVerifier and NewSigner fail with an error
// wrapping git.ErrInvalidKey, whose message never contains key material.
package signature
