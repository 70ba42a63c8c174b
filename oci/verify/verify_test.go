package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/verify"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// expectFailure checks that Verify failed with reason and a NotVerified
// result, and returns a copy of the VerificationError.
func expectFailure(g Gomega, res verify.Result, err error, reason error) verify.VerificationError {
	g.ExpectWithOffset(1, err).To(MatchError(reason))
	var verr *verify.VerificationError
	g.ExpectWithOffset(1, errors.As(err, &verr)).To(BeTrue(), "want a *VerificationError, got %T: %v", err, err)
	g.ExpectWithOffset(1, verr.Reason).To(Equal(reason))
	g.ExpectWithOffset(1, res.Status).To(Equal(verify.StatusNotVerified))
	g.ExpectWithOffset(1, res.Format).To(Equal(verify.FormatNone))
	return *verr
}

func TestKeyBasedLegacy(t *testing.T) {
	t.Parallel()
	for backend, opts := range backends() {
		t.Run(backend, func(t *testing.T) {
			e := startRegistry(t, opts...)
			for _, kind := range keyKinds(backend) {
				t.Run(kind, func(t *testing.T) {
					g := NewWithT(t)
					key := newKey(t, kind)
					artifact := e.push(t, "legacy/"+kind, "v1")
					e.pushLegacy(t, artifact, signLegacy(t, key.signer, artifact.Context().String(), artifact.DigestStr()))

					// A second, unrelated key comes first: any key may match.
					other := newKey(t, "ecdsa")
					v, err := verify.New(verify.WithPublicKeys(other.pem, key.pem), verify.WithRemoteOptions(e.ropts...))
					g.Expect(err).NotTo(HaveOccurred())
					res, err := v.Verify(t.Context(), artifact)
					g.Expect(err).NotTo(HaveOccurred())
					fp, err := verify.KeyFingerprint(key.pem)
					g.Expect(err).NotTo(HaveOccurred())
					sigDesc := headSig(t, e, artifact)
					g.Expect(res).To(Equal(verify.Result{
						Status:         verify.StatusVerified,
						Artifact:       artifact.String(),
						Format:         verify.FormatLegacy,
						Signature:      sigDesc,
						KeyFingerprint: fp,
					}))
				})
			}
		})
	}
}

// keyKinds lists the key types to test on backend: all of them on the
// default backend, one on the other (the key type does not change how
// signatures are found).
func keyKinds(backend string) []string {
	if backend == "distribution" {
		return []string{"ecdsa", "ecdsa-p384", "rsa", "ed25519"}
	}
	return []string{"ecdsa"}
}

// headSig returns the digest of artifact's ".sig" image.
func headSig(t *testing.T, e env, artifact name.Digest) string {
	t.Helper()
	desc, err := remote.Head(sigTag(artifact), e.ropts...)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return desc.Digest.String()
}

// pathRecorder records the paths of the GET requests a registry receives.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (r *pathRecorder) hook(req *http.Request) {
	if req.Method != http.MethodGet {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, req.URL.Path)
}

// take returns the paths recorded so far and forgets them.
func (r *pathRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.paths
	r.paths = nil
	return p
}

func TestKeyBasedBundle(t *testing.T) {
	t.Parallel()
	for backend, opts := range backends() {
		t.Run(backend, func(t *testing.T) {
			var rec pathRecorder
			e := startRegistry(t, append(opts, registry.WithRequestHook(rec.hook))...)
			for _, kind := range keyKinds(backend) {
				t.Run(kind, func(t *testing.T) {
					g := NewWithT(t)
					key := newKey(t, kind)
					artifact := e.push(t, "bundle/"+kind, "v1")
					// An attestation with another predicate, by the same key,
					// is not a signature and must not count.
					e.attachBundle(t, artifact, keyBundle(t, key.signer, statementJSON(mustHash(t, artifact), "https://slsa.dev/provenance/v1")))
					e.attachBundle(t, artifact, keyBundle(t, key.signer, statementJSON(mustHash(t, artifact), cosignSignPredicate)))

					v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
					g.Expect(err).NotTo(HaveOccurred())
					rec.take()
					res, err := v.Verify(t.Context(), artifact)
					g.Expect(err).NotTo(HaveOccurred())

					// Distribution has no referrers API: the bundles come
					// from the "sha256-<hex>" tag index.
					h := mustHash(t, artifact)
					fallback := "/v2/" + artifact.RepositoryStr() + "/manifests/" + h.Algorithm + "-" + h.Hex
					paths := rec.take()
					g.Expect(paths).To(ContainElement("/v2/" + artifact.RepositoryStr() + "/referrers/" + artifact.DigestStr()))
					if e.reg.Backend() == registry.BackendDistribution {
						g.Expect(paths).To(ContainElement(fallback))
					} else {
						g.Expect(paths).NotTo(ContainElement(fallback))
					}

					fp, err := verify.KeyFingerprint(key.pem)
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(res.Status).To(Equal(verify.StatusVerified))
					g.Expect(res.Format).To(Equal(verify.FormatBundle))
					g.Expect(res.KeyFingerprint).To(Equal(fp))
					g.Expect(res.Signature).To(HavePrefix("sha256:"))
					g.Expect(res.Subject).To(BeEmpty())
				})
			}
		})
	}
}

func TestKeyBasedFailures(t *testing.T) {
	t.Parallel()
	for backend, opts := range backends() {
		t.Run(backend, func(t *testing.T) {
			e := startRegistry(t, opts...)
			key := newKey(t, "ecdsa")
			wrong := newKey(t, "ecdsa")

			t.Run("no signature", func(t *testing.T) {
				g := NewWithT(t)
				artifact := e.push(t, "unsigned/app", "v1")
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), artifact)
				verr := expectFailure(g, res, err, verify.ErrNoSignature)
				g.Expect(verr.Signatures).To(BeEmpty())
				g.Expect(verr.Artifact).To(Equal(artifact.String()))

				v, err = verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...), verify.WithIgnoreUnsigned())
				g.Expect(err).NotTo(HaveOccurred())
				res, err = v.Verify(t.Context(), artifact)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(res).To(Equal(verify.Result{Status: verify.StatusIgnored, Artifact: artifact.String()}))
			})

			t.Run("wrong key", func(t *testing.T) {
				g := NewWithT(t)
				artifact := e.push(t, "wrongkey/app", "v1")
				e.pushLegacy(t, artifact, signLegacy(t, key.signer, artifact.Context().String(), artifact.DigestStr()))
				e.attachBundle(t, artifact, keyBundle(t, key.signer, statementJSON(mustHash(t, artifact), cosignSignPredicate)))
				v, err := verify.New(verify.WithPublicKeys(wrong.pem), verify.WithRemoteOptions(e.ropts...), verify.WithIgnoreUnsigned())
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), artifact)
				verr := expectFailure(g, res, err, verify.ErrNoMatchingKey)
				g.Expect(verr.Signatures).To(HaveLen(2))
				g.Expect(verr.Signatures[0].Format).To(Equal(verify.FormatLegacy))
				g.Expect(verr.Signatures[1].Format).To(Equal(verify.FormatBundle))
				for _, s := range verr.Signatures {
					g.Expect(s).To(MatchError(verify.ErrNoMatchingKey))
				}
			})

			t.Run("tampered: tag re-pointed to another digest", func(t *testing.T) {
				g := NewWithT(t)
				signed := e.push(t, "tampered/app", "v1")
				e.pushLegacy(t, signed, signLegacy(t, key.signer, signed.Context().String(), signed.DigestStr()))
				e.attachBundle(t, signed, keyBundle(t, key.signer, statementJSON(mustHash(t, signed), cosignSignPredicate)))
				// Someone pushes other content under the same tag.
				tampered := e.push(t, "tampered/app", "v1")
				g.Expect(tampered.DigestStr()).NotTo(Equal(signed.DigestStr()))
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), tampered)
				expectFailure(g, res, err, verify.ErrNoSignature)
			})

			t.Run("tampered: signatures copied to another digest", func(t *testing.T) {
				g := NewWithT(t)
				signed := e.push(t, "copied/app", "v1")
				tampered := e.push(t, "copied/app", "v2")
				// Genuine signatures of signed, attached to tampered.
				e.pushLegacy(t, tampered, signLegacy(t, key.signer, signed.Context().String(), signed.DigestStr()))
				e.attachBundle(t, tampered, keyBundle(t, key.signer, statementJSON(mustHash(t, signed), cosignSignPredicate)))
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), tampered)
				verr := expectFailure(g, res, err, verify.ErrSubjectMismatch)
				g.Expect(verr.Signatures).To(HaveLen(2))
				g.Expect(verr.Error()).To(ContainSubstring(signed.DigestStr()))
			})

			t.Run("invalid bundle and payload", func(t *testing.T) {
				g := NewWithT(t)
				artifact := e.push(t, "invalid/app", "v1")
				e.pushLegacy(t, artifact, legacyLayer{payload: []byte(`{}`), signature: "%%% not base64"})
				e.attachBundle(t, artifact, []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), artifact)
				verr := expectFailure(g, res, err, verify.ErrInvalidBundle)
				g.Expect(verr.Signatures).To(HaveLen(2))
			})

			t.Run("oversized bundle and payload", func(t *testing.T) {
				g := NewWithT(t)
				artifact := e.push(t, "oversized/app", "v1")
				huge := bytes.Repeat([]byte{' '}, 4<<20+1)
				e.pushLegacy(t, artifact, legacyLayer{payload: huge, signature: "c2ln"})
				e.attachBundle(t, artifact, huge)
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), artifact)
				verr := expectFailure(g, res, err, verify.ErrInvalidBundle)
				g.Expect(verr.Signatures).To(HaveLen(2))
				for _, s := range verr.Signatures {
					g.Expect(s.Error()).To(ContainSubstring("4 MiB"))
				}
			})

			t.Run("legacy payload of another type", func(t *testing.T) {
				g := NewWithT(t)
				artifact := e.push(t, "othertype/app", "v1")
				payload := []byte(strings.Replace(string(simpleSigningPayload("x", artifact.DigestStr())), "cosign container image signature", "atomic container signature", 1))
				sig, err := key.signer.SignMessage(strings.NewReader(string(payload)))
				g.Expect(err).NotTo(HaveOccurred())
				e.pushLegacy(t, artifact, legacyLayer{payload: payload, signature: base64.StdEncoding.EncodeToString(sig)})
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), artifact)
				expectFailure(g, res, err, verify.ErrInvalidBundle)
			})

			t.Run("one good signature among bad ones", func(t *testing.T) {
				g := NewWithT(t)
				artifact := e.push(t, "mixed/app", "v1")
				e.pushLegacy(t, artifact,
					signLegacy(t, wrong.signer, artifact.Context().String(), artifact.DigestStr()),
					legacyLayer{payload: []byte(`{}`), signature: "!!"},
				)
				e.attachBundle(t, artifact, keyBundle(t, key.signer, statementJSON(mustHash(t, artifact), cosignSignPredicate)))
				v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
				g.Expect(err).NotTo(HaveOccurred())
				res, err := v.Verify(t.Context(), artifact)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(res.Status).To(Equal(verify.StatusVerified))
				g.Expect(res.Format).To(Equal(verify.FormatBundle))
			})
		})
	}
}

func TestRegistryErrorsAreNotVerificationErrors(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	e := startRegistry(t)
	key := newKey(t, "ecdsa")
	artifact := e.push(t, "auth/app", "v1")

	// No credentials: the registry answers 401.
	v, err := verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts[0]))
	g.Expect(err).NotTo(HaveOccurred())
	res, err := v.Verify(t.Context(), artifact)
	g.Expect(err).To(HaveOccurred())
	var verr *verify.VerificationError
	g.Expect(errors.As(err, &verr)).To(BeFalse())
	g.Expect(res.Status).To(Equal(verify.StatusNotVerified))
	g.Expect(err.Error()).NotTo(ContainSubstring("s3cret-pass"))

	// A canceled context stops before any request.
	v, err = verify.New(verify.WithPublicKeys(key.pem), verify.WithRemoteOptions(e.ropts...))
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = v.Verify(ctx, artifact)
	g.Expect(err).To(MatchError(context.Canceled))
}

func TestNewInvalidOptions(t *testing.T) {
	key := newKey(t, "ecdsa")
	vs := newVirtualSigstore(t)
	id := verify.Identity{Subject: "dev@example.com", Issuer: "https://issuer.example.com"}
	for name, opts := range map[string][]verify.Option{
		"no mode":                    nil,
		"both modes":                 {verify.WithPublicKeys(key.pem), verify.WithTrustedRoot(vs.trustedRoot), verify.WithIdentities(id)},
		"identities with keys":       {verify.WithPublicKeys(key.pem), verify.WithIdentities(id)},
		"not PEM":                    {verify.WithPublicKeys([]byte("ssh-ed25519 AAAA"))},
		"private key PEM":            {verify.WithPublicKeys([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))},
		"corrupt public key":         {verify.WithPublicKeys([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))},
		"nil option":                 {nil},
		"bad trusted root":           {verify.WithTrustedRoot([]byte(`{"mediaType":"nope"`)), verify.WithIdentities(id)},
		"keyless without identities": {verify.WithTrustedRoot(vs.trustedRoot)},
		"identity without issuer": {verify.WithTrustedRoot(vs.trustedRoot),
			verify.WithIdentities(verify.Identity{Subject: "dev@example.com"})},
		"identity without subject": {verify.WithTrustedRoot(vs.trustedRoot),
			verify.WithIdentities(verify.Identity{IssuerRegexp: ".*"})},
		"bad regexp": {verify.WithTrustedRoot(vs.trustedRoot),
			verify.WithIdentities(verify.Identity{SubjectRegexp: "(", Issuer: "x"})},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := verify.New(opts...)
			NewWithT(t).Expect(err).To(MatchError(verify.ErrInvalidOption))
		})
	}
}

func TestKeyFingerprint(t *testing.T) {
	g := NewWithT(t)
	key := newKey(t, "ed25519")
	fp, err := verify.KeyFingerprint(key.pem)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(fp).To(MatchRegexp(`^sha256:[0-9a-f]{64}$`))
	other, err := verify.KeyFingerprint(newKey(t, "ed25519").pem)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(other).NotTo(Equal(fp))
	_, err = verify.KeyFingerprint([]byte("nothing"))
	g.Expect(err).To(HaveOccurred())
}

func TestStrings(t *testing.T) {
	g := NewWithT(t)
	g.Expect(verify.StatusNotVerified.String()).To(Equal("NotVerified"))
	g.Expect(verify.StatusVerified.String()).To(Equal("Verified"))
	g.Expect(verify.StatusIgnored.String()).To(Equal("Ignored"))
	g.Expect(verify.Status(9).String()).To(Equal("Status(9)"))
	g.Expect(verify.FormatNone.String()).To(Equal("none"))
	g.Expect(verify.FormatLegacy.String()).To(Equal("legacy"))
	g.Expect(verify.FormatBundle.String()).To(Equal("bundle"))
	g.Expect(verify.Format(7).String()).To(Equal("Format(7)"))
}
