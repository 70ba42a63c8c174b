package verify_test

import (
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/verify"
	"github.com/sluice-dev/sluice/testenv/cosign"
)

// TestCosignCLI signs with the real cosign v3 CLI (built from the module
// proxy and cached by testenv/cosign), offline with key pairs, in both of
// its formats, and verifies with this package.
func TestCosignCLI(t *testing.T) {
	t.Parallel()
	cli, err := cosign.New(t.Context(), cosign.Options{Progress: io.Discard})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())

	g := NewWithT(t)
	key, err := cli.GenerateKeyPair(t.Context(), t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	pub, err := key.PublicKeyPEM()
	g.Expect(err).NotTo(HaveOccurred())
	fp, err := verify.KeyFingerprint(pub)
	g.Expect(err).NotTo(HaveOccurred())
	wrongKey, err := cli.GenerateKeyPair(t.Context(), t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	wrongPub, err := wrongKey.PublicKeyPEM()
	g.Expect(err).NotTo(HaveOccurred())

	for backend, opts := range backends() {
		t.Run(backend, func(t *testing.T) {
			e := startRegistry(t, opts...)

			sign := func(g Gomega, artifact name.Digest, legacy bool) {
				g.ExpectWithOffset(1, cli.Sign(t.Context(), artifact.String(), key.PrivateKey, cosign.SignOptions{
					Registry:    cosign.FromRegistry(e.reg),
					KeyPassword: key.Password,
					Legacy:      legacy,
				})).To(Succeed())
			}
			verifier := func(g Gomega, pemKey []byte) *verify.Verifier {
				v, err := verify.New(verify.WithPublicKeys(pemKey), verify.WithRemoteOptions(e.ropts...))
				g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
				return v
			}

			for _, tc := range []struct {
				name   string
				legacy bool
				format verify.Format
			}{
				{"bundle", false, verify.FormatBundle},
				{"legacy", true, verify.FormatLegacy},
			} {
				t.Run(tc.name, func(t *testing.T) {
					g := NewWithT(t)
					artifact := e.push(t, "cosign/"+tc.name, "v1")
					sign(g, artifact, tc.legacy)

					res, err := verifier(g, pub).Verify(t.Context(), artifact)
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(res.Status).To(Equal(verify.StatusVerified))
					g.Expect(res.Format).To(Equal(tc.format))
					g.Expect(res.KeyFingerprint).To(Equal(fp))

					t.Run("wrong key", func(t *testing.T) {
						g := NewWithT(t)
						res, err := verifier(g, wrongPub).Verify(t.Context(), artifact)
						expectFailure(g, res, err, verify.ErrNoMatchingKey)
					})

					t.Run("tag re-pointed to other content", func(t *testing.T) {
						g := NewWithT(t)
						tampered := e.push(t, "cosign/"+tc.name, "v1")
						ref, err := name.NewTag(e.reg.Ref("cosign/" + tc.name + ":v1"))
						g.Expect(err).NotTo(HaveOccurred())
						desc, err := remote.Head(ref, e.ropts...)
						g.Expect(err).NotTo(HaveOccurred())
						g.Expect(desc.Digest.String()).To(Equal(tampered.DigestStr()))
						res, err := verifier(g, pub).Verify(t.Context(), tampered)
						expectFailure(g, res, err, verify.ErrNoSignature)
					})

					t.Run("signature copied to other content", func(t *testing.T) {
						g := NewWithT(t)
						tampered := e.push(t, "cosign/"+tc.name, "v2")
						if tc.legacy {
							copyLegacy(t, e, artifact, tampered)
						} else {
							copyBundles(t, e, artifact, tampered)
						}
						res, err := verifier(g, pub).Verify(t.Context(), tampered)
						expectFailure(g, res, err, verify.ErrSubjectMismatch)
					})
				})
			}
		})
	}
}

// copyLegacy copies from's ".sig" image to to's ".sig" tag, unchanged.
func copyLegacy(t *testing.T, e env, from, to name.Digest) {
	t.Helper()
	g := NewWithT(t)
	desc, err := remote.Get(sigTag(from), e.ropts...)
	g.Expect(err).NotTo(HaveOccurred())
	img, err := desc.Image()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(remote.Write(sigTag(to), img, e.ropts...)).To(Succeed())
}

// copyBundles re-attaches every referrer of from to to: same bundle
// layers, subject changed to to.
func copyBundles(t *testing.T, e env, from, to name.Digest) {
	t.Helper()
	g := NewWithT(t)
	idx, err := remote.Referrers(from, e.ropts...)
	g.Expect(err).NotTo(HaveOccurred())
	im, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(im.Manifests).NotTo(BeEmpty())
	subject, err := remote.Head(to, e.ropts...)
	g.Expect(err).NotTo(HaveOccurred())
	for _, d := range im.Manifests {
		img, err := remote.Image(from.Context().Digest(d.Digest.String()), e.ropts...)
		g.Expect(err).NotTo(HaveOccurred())
		moved := mutate.Subject(img, *subject).(gcrv1.Image)
		md, err := moved.Digest()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(remote.Write(to.Context().Digest(md.String()), moved, e.ropts...)).To(Succeed())
	}
}
