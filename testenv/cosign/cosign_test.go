package cosign_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/testenv/cosign"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// cli builds (or finds in the cache) the real cosign once per test binary.
var cli = sync.OnceValues(func() (*cosign.CLI, error) {
	return cosign.New(context.Background(), cosign.Options{})
})

// pushed pushes a random image to reg and returns its digest reference.
func pushed(t *testing.T, reg *registry.Registry, repo string) name.Digest {
	t.Helper()
	g := NewWithT(t)
	tag, err := name.NewTag(reg.Ref(repo+":v1"), name.Insecure)
	g.Expect(err).NotTo(HaveOccurred())
	img, err := random.Image(512, 1)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(remote.Write(tag, img, remoteOptions(t, reg)...)).To(Succeed())
	d, err := img.Digest()
	g.Expect(err).NotTo(HaveOccurred())
	return tag.Context().Digest(d.String())
}

func remoteOptions(t *testing.T, reg *registry.Registry) []remote.Option {
	creds := reg.Credentials()
	opts := []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(reg.Transport())}
	if creds.Username != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: creds.Username, Password: creds.Password}))
	}
	return opts
}

func newCLI(t *testing.T) *cosign.CLI {
	t.Helper()
	c, err := cli()
	if err != nil {
		t.Fatalf("build cosign: %v", err)
	}
	return c
}

func keyPair(t *testing.T, c *cosign.CLI) cosign.KeyPair {
	t.Helper()
	kp, err := c.GenerateKeyPair(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// sigTag is the tag cosign derives from a digest: "sha256-<hex>".
func sigTag(d name.Digest) string {
	return strings.Replace(d.DigestStr(), ":", "-", 1)
}

func TestGenerateKeyPair(t *testing.T) {
	g := NewWithT(t)
	c := newCLI(t)
	kp := keyPair(t, c)
	pub, err := kp.PublicKeyPEM()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(pub)).To(HavePrefix("-----BEGIN PUBLIC KEY-----"))
	priv, err := os.ReadFile(kp.PrivateKey)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(priv)).To(ContainSubstring("ENCRYPTED SIGSTORE PRIVATE KEY"))
}

// Distribution over TLS with htpasswd has no referrers API: cosign stores
// the bundle in an index under the tag "sha256-<hex>".
func TestSignBundleDistributionTLSAuth(t *testing.T) {
	g := NewWithT(t)
	c := newCLI(t)
	reg, err := registry.New(t.Context(), registry.WithTLS(), registry.WithUser("signer", "pa55"))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	d := pushed(t, reg, "team/app")
	kp := keyPair(t, c)

	access := cosign.FromRegistry(reg)
	g.Expect(c.Sign(t.Context(), d.String(), kp.PrivateKey, cosign.SignOptions{Registry: access})).To(Succeed())

	tags, err := remote.List(d.Context(), remoteOptions(t, reg)...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(ContainElement(sigTag(d)))
	g.Expect(tags).NotTo(ContainElement(sigTag(d) + ".sig"))
	idx, err := remote.Index(d.Context().Tag(sigTag(d)), remoteOptions(t, reg)...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(bundleLayers(t, idx)).To(Equal(1))

	g.Expect(c.Verify(t.Context(), d.String(), kp.PublicKey, cosign.VerifyOptions{Registry: access})).To(Succeed())

	// Another key does not verify.
	other := keyPair(t, c)
	err = c.Verify(t.Context(), d.String(), other.PublicKey, cosign.VerifyOptions{Registry: access})
	g.Expect(err).To(MatchError(cosign.ErrCommandFailed))
}

// bundleLayers counts the sigstore bundle layers of the manifests in idx.
func bundleLayers(t *testing.T, idx gcrv1.ImageIndex) int {
	t.Helper()
	g := NewWithT(t)
	m, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	n := 0
	for _, desc := range m.Manifests {
		img, err := idx.Image(desc.Digest)
		g.Expect(err).NotTo(HaveOccurred())
		im, err := img.Manifest()
		g.Expect(err).NotTo(HaveOccurred())
		for _, l := range im.Layers {
			if strings.HasPrefix(string(l.MediaType), "application/vnd.dev.sigstore.bundle") {
				n++
			}
		}
	}
	return n
}

// go-containerregistry's registry serves the referrers API: the bundle is
// a referrer of the image and no tag is added.
func TestSignBundleReferrersAPI(t *testing.T) {
	g := NewWithT(t)
	c := newCLI(t)
	reg, err := registry.New(t.Context(), registry.WithReferrersAPI(), registry.WithUser("signer", "pa55"))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	d := pushed(t, reg, "team/app")
	kp := keyPair(t, c)

	access := cosign.FromRegistry(reg)
	g.Expect(c.Sign(t.Context(), d.String(), kp.PrivateKey, cosign.SignOptions{Registry: access})).To(Succeed())

	idx, err := remote.Referrers(d, remoteOptions(t, reg)...)
	g.Expect(err).NotTo(HaveOccurred())
	m, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Manifests).To(HaveLen(1))
	tags, err := remote.List(d.Context(), remoteOptions(t, reg)...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(ConsistOf("v1"))

	g.Expect(c.Verify(t.Context(), d.String(), kp.PublicKey, cosign.VerifyOptions{Registry: access})).To(Succeed())
}

// Legacy mode writes a simple-signing layer under "sha256-<hex>.sig".
func TestSignLegacy(t *testing.T) {
	g := NewWithT(t)
	c := newCLI(t)
	reg, err := registry.New(t.Context(), registry.WithTLS(), registry.WithUser("signer", "pa55"))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	d := pushed(t, reg, "app")
	kp := keyPair(t, c)
	access := cosign.FromRegistry(reg)

	opts := cosign.SignOptions{Registry: access, Legacy: true, Annotations: map[string]string{"team": "sluice"}}
	g.Expect(c.Sign(t.Context(), d.String(), kp.PrivateKey, opts)).To(Succeed())

	img, err := remote.Image(d.Context().Tag(sigTag(d)+".sig"), remoteOptions(t, reg)...)
	g.Expect(err).NotTo(HaveOccurred())
	m, err := img.Manifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Layers).To(HaveLen(1))
	g.Expect(string(m.Layers[0].MediaType)).To(Equal("application/vnd.dev.cosign.simplesigning.v1+json"))
	g.Expect(m.Layers[0].Annotations).To(HaveKey("dev.cosignproject.cosign/signature"))

	g.Expect(c.Verify(t.Context(), d.String(), kp.PublicKey, cosign.VerifyOptions{Registry: access, Legacy: true})).To(Succeed())
}

func TestSignWithoutCredentialsFails(t *testing.T) {
	g := NewWithT(t)
	c := newCLI(t)
	reg, err := registry.New(t.Context(), registry.WithTLS(), registry.WithUser("signer", "pa55"))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	d := pushed(t, reg, "app")
	kp := keyPair(t, c)

	err = c.Sign(t.Context(), d.String(), kp.PrivateKey, cosign.SignOptions{Registry: cosign.Registry{CACertPEM: reg.CACertPEM()}})
	g.Expect(err).To(MatchError(cosign.ErrCommandFailed))
	var ce *cosign.CommandError
	g.Expect(errors.As(err, &ce)).To(BeTrue())
	g.Expect(ce.Args[0]).To(Equal("sign"))
	g.Expect(ce.Output).NotTo(BeEmpty())

	// The password never shows in an error.
	wrong := cosign.FromRegistry(reg)
	wrong.Password = "not-the-password"
	err = c.Sign(t.Context(), d.String(), kp.PrivateKey, cosign.SignOptions{Registry: wrong})
	g.Expect(err).To(MatchError(cosign.ErrCommandFailed))
	g.Expect(err.Error()).NotTo(ContainSubstring("not-the-password"))
}

func TestSignRequiresRefAndKey(t *testing.T) {
	g := NewWithT(t)
	c, err := cosign.NewWithBinary(os.Args[0]) // any executable will do
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Sign(t.Context(), "", "k", cosign.SignOptions{})).To(MatchError(ContainSubstring("required")))
	g.Expect(c.Sign(t.Context(), "r", "", cosign.SignOptions{})).To(MatchError(ContainSubstring("required")))
	g.Expect(c.Verify(t.Context(), "r", "", cosign.VerifyOptions{})).To(MatchError(ContainSubstring("required")))
}

func TestNewWithBinaryRejectsNonExecutables(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	_, err := cosign.NewWithBinary(filepath.Join(dir, "missing"))
	g.Expect(err).To(HaveOccurred())
	_, err = cosign.NewWithBinary(dir)
	g.Expect(err).To(MatchError(ContainSubstring("not an executable")))
}

func TestBinaryRejectsBadVersion(t *testing.T) {
	g := NewWithT(t)
	_, err := cosign.Binary(t.Context(), cosign.Options{Version: "2.4.1", CacheDir: t.TempDir()})
	g.Expect(err).To(MatchError(ContainSubstring("want a v3 release")))
}

func TestBinaryBuildErrors(t *testing.T) {
	t.Run("no go command", func(t *testing.T) {
		g := NewWithT(t)
		_, err := cosign.Binary(t.Context(), cosign.Options{CacheDir: t.TempDir(), GoCommand: "/nonexistent/go", Progress: io.Discard})
		var be *cosign.BuildError
		g.Expect(errors.As(err, &be)).To(BeTrue())
		g.Expect(be.Binary).To(Equal("cosign"))
		g.Expect(err).To(MatchError(cosign.ErrGoNotFound))
	})
	t.Run("module download refused", func(t *testing.T) {
		g := NewWithT(t)
		cache := t.TempDir()
		_, err := cosign.Binary(t.Context(), cosign.Options{
			Version: "v3.0.999", CacheDir: cache, Progress: io.Discard,
			Env: []string{"GOPROXY=off"},
		})
		g.Expect(err).To(MatchError(cosign.ErrModuleDownload))
		g.Expect(filepath.Join(cache, "cosign-v3.0.999")).NotTo(BeADirectory())
	})
	t.Run("build fails", func(t *testing.T) {
		g := NewWithT(t)
		fakeGo := filepath.Join(t.TempDir(), "go")
		g.Expect(os.WriteFile(fakeGo, []byte("#!/bin/sh\necho 'undefined: cosign.Main' >&2\nexit 1\n"), 0o700)).To(Succeed())
		_, err := cosign.Binary(t.Context(), cosign.Options{CacheDir: t.TempDir(), GoCommand: fakeGo, Progress: io.Discard})
		g.Expect(err).To(MatchError(cosign.ErrBuildFailed))
		g.Expect(err.Error()).To(ContainSubstring("undefined: cosign.Main"))
	})
}
