// Package verify checks cosign signatures of OCI artifacts before a
// controller uses them, without depending on cosign itself: it reads the
// signatures from the registry with go-containerregistry and verifies them
// with sigstore-go and sigstore.
//
// Two modes, chosen when the [Verifier] is built:
//
//   - Key-based, with [WithPublicKeys]: PEM public keys (ECDSA, RSA,
//     Ed25519) as `cosign generate-key-pair` writes them. Both of cosign's
//     formats are read: the legacy "sha256-<hex>.sig" image of
//     simple-signing payloads (cosign --new-bundle-format=false, and cosign
//     before v3), and cosign v3's sigstore bundle attached as an OCI 1.1
//     referrer. Transparency-log entries are not required, so offline
//     signatures (cosign sign --tlog-upload=false) verify.
//   - Keyless, with [WithTrustedRoot] and [WithIdentities]: the bundle's
//     short-lived certificate must chain to a certificate authority of the
//     given sigstore trusted root, its transparency-log entry must verify
//     offline against a log of the trusted root (inclusion proof or
//     promise, no network), a trusted time must fall within the
//     certificate's validity, and its subject and OIDC issuer must match one
//     of the identities (exact or regular expression). Signed certificate
//     timestamps are not required. Keyless mode reads bundles only.
//
// Bundles are found through the registry's referrers API or, when it lacks
// one, the "sha256-<hex>" tag index (the OCI 1.1 fallback cosign writes);
// every referrer's layers whose media type starts with
// "application/vnd.dev.sigstore.bundle" are examined, whatever artifactType
// the registry reports. A bundle must hold a DSSE envelope whose in-toto
// statement has the predicate type "https://sigstore.dev/cosign/sign/v1"
// (other predicates are attestations and are skipped) and names the
// artifact's digest as a subject.
//
// The one call a newcomer needs:
//
//	v, err := verify.New(
//		verify.WithPublicKeys(cosignPub),
//		verify.WithRemoteOptions(remote.WithAuthFromKeychain(authn.DefaultKeychain)),
//	)
//	if err != nil {
//		return err
//	}
//	res, err := v.Verify(ctx, ref) // ref is a name.Digest
//	if err != nil {
//		return err // errors.Is(err, verify.ErrNoMatchingKey) and friends
//	}
//	log.Info("verified", "format", res.Format, "key", res.KeyFingerprint)
//
// # Results
//
// [Verifier.Verify] returns a [Result], plain data: a [Status]
// (Verified, NotVerified or Ignored), the [Format] and manifest digest of
// the signature that passed, and the key fingerprint or certificate
// identity that matched.
//
// # Errors
//
// [New] returns errors wrapping [ErrInvalidOption]. [Verifier.Verify]
// returns a [*VerificationError] when the signatures were read and none
// passes; its Reason, also matched by errors.Is, is [ErrNoSignature],
// [ErrNoMatchingKey], [ErrNoMatchingIdentity], [ErrUntrusted],
// [ErrSubjectMismatch] or [ErrInvalidBundle], and its Signatures say why each
// signature failed. Such an error does not go away by retrying. Registry,
// network and context errors are returned wrapped as they are, and may be
// retried. Errors never carry credentials.
//
// # Concurrency
//
// A [Verifier] is immutable once built and safe for concurrent use.
package verify
