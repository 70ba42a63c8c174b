package verify_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"

	"github.com/sluice-dev/sluice/oci/verify"
)

const (
	keylessSubject = "https://github.com/sluice-dev/app/.github/workflows/release.yml@refs/tags/v1.0.0"
	keylessIssuer  = "https://token.actions.githubusercontent.com"
)

func TestKeyless(t *testing.T) {
	t.Parallel()
	for backend, opts := range backends() {
		t.Run(backend, func(t *testing.T) {
			e := startRegistry(t, opts...)
			vs := newVirtualSigstore(t)
			artifact := e.push(t, "keyless/app", "v1")
			e.attachBundle(t, artifact, vs.keylessBundle(t, keylessSubject, keylessIssuer, statementJSON(mustHash(t, artifact), cosignSignPredicate)))

			newVerifier := func(g Gomega, trustedRoot []byte, ids ...verify.Identity) *verify.Verifier {
				v, err := verify.New(verify.WithTrustedRoot(trustedRoot), verify.WithIdentities(ids...), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				return v
			}

			for name, id := range map[string]verify.Identity{
				"exact":        {Subject: keylessSubject, Issuer: keylessIssuer},
				"regexp":       {SubjectRegexp: `^https://github\.com/sluice-dev/.+@refs/tags/v`, IssuerRegexp: `^https://token\.actions\.githubusercontent\.com$`},
				"exact+regexp": {Subject: keylessSubject, IssuerRegexp: `githubusercontent`},
			} {
				t.Run("verified by "+name, func(t *testing.T) {
					g := NewWithT(t)
					other := verify.Identity{Subject: "someone@example.com", Issuer: keylessIssuer}
					res, err := newVerifier(g, vs.trustedRoot, other, id).Verify(t.Context(), artifact)
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(res.Status).To(Equal(verify.StatusVerified))
					g.Expect(res.Format).To(Equal(verify.FormatBundle))
					g.Expect(res.Subject).To(Equal(keylessSubject))
					g.Expect(res.Issuer).To(Equal(keylessIssuer))
					g.Expect(res.KeyFingerprint).To(BeEmpty())
					g.Expect(res.Signature).To(HavePrefix("sha256:"))
				})
			}

			t.Run("wrong identity", func(t *testing.T) {
				for name, id := range map[string]verify.Identity{
					"subject":        {Subject: "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.0.0", Issuer: keylessIssuer},
					"issuer":         {Subject: keylessSubject, Issuer: "https://accounts.google.com"},
					"subject regexp": {SubjectRegexp: `^https://github\.com/other-org/`, Issuer: keylessIssuer},
					"issuer regexp":  {Subject: keylessSubject, IssuerRegexp: `^https://gitlab\.com$`},
				} {
					t.Run(name, func(t *testing.T) {
						g := NewWithT(t)
						res, err := newVerifier(g, vs.trustedRoot, id).Verify(t.Context(), artifact)
						verr := expectFailure(g, res, err, verify.ErrNoMatchingIdentity)
						g.Expect(verr.Signatures).To(HaveLen(1))
						g.Expect(verr.Error()).To(ContainSubstring(keylessSubject))
					})
				}
			})

			t.Run("untrusted root", func(t *testing.T) {
				g := NewWithT(t)
				stranger := newVirtualSigstore(t)
				res, err := newVerifier(g, stranger.trustedRoot, verify.Identity{Subject: keylessSubject, Issuer: keylessIssuer}).Verify(t.Context(), artifact)
				expectFailure(g, res, err, verify.ErrUntrusted)
			})

			t.Run("key-signed bundle is untrusted", func(t *testing.T) {
				g := NewWithT(t)
				keySigned := e.push(t, "keyless/keysigned", "v1")
				e.attachBundle(t, keySigned, keyBundle(t, newKey(t, "ecdsa").signer, statementJSON(mustHash(t, keySigned), cosignSignPredicate)))
				res, err := newVerifier(g, vs.trustedRoot, verify.Identity{SubjectRegexp: ".", IssuerRegexp: "."}).Verify(t.Context(), keySigned)
				expectFailure(g, res, err, verify.ErrUntrusted)
			})

			t.Run("transparency log", func(t *testing.T) {
				for name, alter := range map[string]func(*protobundle.Bundle){
					"entry missing": func(b *protobundle.Bundle) { b.VerificationMaterial.TlogEntries = nil },
					"inclusion proof altered": func(b *protobundle.Bundle) {
						b.VerificationMaterial.TlogEntries[0].InclusionProof.RootHash[0] ^= 0xff
					},
					// A genuine entry, logged for another signature.
					"entry of another signature": func(b *protobundle.Bundle) {
						vs.keylessBundleWith(t, keylessSubject, keylessIssuer, statementJSON(mustHash(t, artifact), cosignSignPredicate), func(o *protobundle.Bundle) {
							b.VerificationMaterial.TlogEntries = o.VerificationMaterial.TlogEntries
						})
					},
				} {
					t.Run(name, func(t *testing.T) {
						g := NewWithT(t)
						target := e.push(t, "keyless/tlog", strings.ReplaceAll(name, " ", "-"))
						e.attachBundle(t, target, vs.keylessBundleWith(t, keylessSubject, keylessIssuer, statementJSON(mustHash(t, target), cosignSignPredicate), alter))
						res, err := newVerifier(g, vs.trustedRoot, verify.Identity{Subject: keylessSubject, Issuer: keylessIssuer}).Verify(t.Context(), target)
						verr := expectFailure(g, res, err, verify.ErrUntrusted)
						g.Expect(verr.Error()).To(ContainSubstring("log inclusion"))
					})
				}
			})

			t.Run("tampered: copied to another digest", func(t *testing.T) {
				g := NewWithT(t)
				tampered := e.push(t, "keyless/app", "v2")
				e.attachBundle(t, tampered, vs.keylessBundle(t, keylessSubject, keylessIssuer, statementJSON(mustHash(t, artifact), cosignSignPredicate)))
				res, err := newVerifier(g, vs.trustedRoot, verify.Identity{Subject: keylessSubject, Issuer: keylessIssuer}).Verify(t.Context(), tampered)
				expectFailure(g, res, err, verify.ErrSubjectMismatch)
			})

			t.Run("legacy signatures are not read", func(t *testing.T) {
				g := NewWithT(t)
				legacyOnly := e.push(t, "keyless/legacy", "v1")
				e.pushLegacy(t, legacyOnly, signLegacy(t, newKey(t, "ecdsa").signer, legacyOnly.Context().String(), legacyOnly.DigestStr()))
				res, err := newVerifier(g, vs.trustedRoot, verify.Identity{Subject: keylessSubject, Issuer: keylessIssuer}).Verify(t.Context(), legacyOnly)
				expectFailure(g, res, err, verify.ErrNoSignature)
			})
		})
	}
}
