package verify_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/sluice-dev/sluice/testenv/registry"
)

const (
	simpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	bundleMediaType        = "application/vnd.dev.sigstore.bundle.v0.3+json"
	signatureAnnotation    = "dev.cosignproject.cosign/signature"
	cosignSignPredicate    = "https://sigstore.dev/cosign/sign/v1"
)

// env is a registry and the remote options that reach it.
type env struct {
	reg   *registry.Registry
	ropts []remote.Option
}

// backends lists the registry flavours every registry test runs against:
// Distribution (no referrers API, so the "sha256-<hex>" tag fallback) and
// go-containerregistry's registry with the referrers API.
func backends() map[string][]registry.Option {
	return map[string][]registry.Option{
		"distribution":       nil,
		"ggcr-referrers-api": {registry.WithReferrersAPI()},
	}
}

// startRegistry runs a TLS registry with basic authentication.
func startRegistry(t *testing.T, extra ...registry.Option) env {
	t.Helper()
	g := NewWithT(t)
	opts := append([]registry.Option{registry.WithTLS(), registry.WithUser("signer", "s3cret-pass")}, extra...)
	reg, err := registry.New(t.Context(), opts...)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	creds := reg.Credentials()
	return env{reg: reg, ropts: []remote.Option{
		remote.WithTransport(reg.Transport()),
		remote.WithAuth(&authn.Basic{Username: creds.Username, Password: creds.Password}),
	}}
}

// push writes a random single-layer artifact to repo:tag and returns its
// digest reference.
func (e env) push(t *testing.T, repo, tag string) name.Digest {
	t.Helper()
	g := NewWithT(t)
	img, err := random.Image(512, 1)
	g.Expect(err).NotTo(HaveOccurred())
	ref, err := name.NewTag(e.reg.Ref(repo + ":" + tag))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(remote.Write(ref, img, e.ropts...)).To(Succeed())
	d, err := img.Digest()
	g.Expect(err).NotTo(HaveOccurred())
	return ref.Context().Digest(d.String())
}

// sigTag is cosign's legacy signature tag for artifact.
func sigTag(artifact name.Digest) name.Tag {
	h, err := gcrv1.NewHash(artifact.DigestStr())
	if err != nil {
		panic(err)
	}
	return artifact.Context().Tag(h.Algorithm + "-" + h.Hex + ".sig")
}

// simpleSigningPayload is cosign's payload naming digest.
func simpleSigningPayload(repo, digest string) []byte {
	return fmt.Appendf(nil, `{"critical":{"identity":{"docker-reference":%q},"image":{"docker-manifest-digest":%q},"type":"cosign container image signature"},"optional":null}`, repo, digest)
}

// legacyLayer is one signature of a ".sig" image.
type legacyLayer struct {
	payload   []byte
	signature string
}

// signLegacy signs a payload naming signedDigest with signer, as cosign's
// legacy format does.
func signLegacy(t *testing.T, signer signature.Signer, repo, signedDigest string) legacyLayer {
	t.Helper()
	payload := simpleSigningPayload(repo, signedDigest)
	sig, err := signer.SignMessage(bytes.NewReader(payload))
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return legacyLayer{payload: payload, signature: base64.StdEncoding.EncodeToString(sig)}
}

// pushLegacy writes layers as the ".sig" image of artifact.
func (e env) pushLegacy(t *testing.T, artifact name.Digest, layers ...legacyLayer) {
	t.Helper()
	g := NewWithT(t)
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	for _, l := range layers {
		var err error
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:       static.NewLayer(l.payload, simpleSigningMediaType),
			Annotations: map[string]string{signatureAnnotation: l.signature},
		})
		g.Expect(err).NotTo(HaveOccurred())
	}
	g.Expect(remote.Write(sigTag(artifact), img, e.ropts...)).To(Succeed())
}

// statementJSON is an in-toto statement over digest with predicateType.
func statementJSON(digest gcrv1.Hash, predicateType string) []byte {
	data, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": "artifact", "digest": map[string]string{digest.Algorithm: digest.Hex}}},
		"predicateType": predicateType,
		"predicate":     map[string]any{},
	})
	if err != nil {
		panic(err)
	}
	return data
}

// pae is DSSE's pre-authentication encoding.
func pae(payloadType string, payload []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload)
}

// keyBundle is a sigstore bundle v0.3 signed by signer over a DSSE
// statement, as `cosign sign --key` writes offline: a public-key hint, no
// transparency-log entry.
func keyBundle(t *testing.T, signer signature.Signer, stmt []byte) []byte {
	t.Helper()
	g := NewWithT(t)
	sig, err := signer.SignMessage(bytes.NewReader(pae("application/vnd.in-toto+json", stmt)))
	g.Expect(err).NotTo(HaveOccurred())
	b, err := sgbundle.NewBundle(&protobundle.Bundle{
		MediaType: bundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "test-key"}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     stmt,
			PayloadType: "application/vnd.in-toto+json",
			Signatures:  []*protodsse.Signature{{Sig: sig}},
		}},
	})
	g.Expect(err).NotTo(HaveOccurred())
	data, err := b.MarshalJSON()
	g.Expect(err).NotTo(HaveOccurred())
	return data
}

// attachBundle writes bundle as a referrer of artifact, the way cosign v3
// does; go-containerregistry updates the "sha256-<hex>" fallback index
// when the registry has no referrers API.
func (e env) attachBundle(t *testing.T, artifact name.Digest, bundle []byte) {
	t.Helper()
	g := NewWithT(t)
	desc, err := remote.Head(artifact, e.ropts...)
	g.Expect(err).NotTo(HaveOccurred())
	img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1), mutate.Addendum{
		Layer: static.NewLayer(bundle, bundleMediaType),
	})
	g.Expect(err).NotTo(HaveOccurred())
	img = mutate.ConfigMediaType(img, "application/vnd.oci.empty.v1+json")
	img = mutate.Subject(img, *desc).(gcrv1.Image)
	d, err := img.Digest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(remote.Write(artifact.Context().Digest(d.String()), img, e.ropts...)).To(Succeed())
}

// keyPair is a signer and its PEM public key.
type keyPair struct {
	signer signature.SignerVerifier
	pem    []byte
}

// newKey generates a key of kind "ecdsa", "ecdsa-p384", "rsa" or "ed25519".
func newKey(t *testing.T, kind string) keyPair {
	t.Helper()
	g := NewWithT(t)
	var (
		priv crypto.Signer
		err  error
	)
	switch kind {
	case "ecdsa":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ecdsa-p384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ed25519":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	g.Expect(err).NotTo(HaveOccurred())
	sv, err := signature.LoadDefaultSignerVerifier(priv)
	g.Expect(err).NotTo(HaveOccurred())
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	g.Expect(err).NotTo(HaveOccurred())
	return keyPair{signer: sv, pem: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
}

// virtualSigstore is a local Fulcio-like CA, Rekor-like log and timestamp
// authority from sigstore-go's test helpers, with the trusted root JSON
// that trusts them.
type virtualSigstore struct {
	vs          *ca.VirtualSigstore
	trustedRoot []byte
}

func newVirtualSigstore(t *testing.T) virtualSigstore {
	t.Helper()
	g := NewWithT(t)
	vs, err := ca.NewVirtualSigstore()
	g.Expect(err).NotTo(HaveOccurred())
	// The helper keys its logs by hex log ID but stores the hex text as the
	// ID; a trusted root carries the raw key ID.
	fixIDs := func(logs map[string]*root.TransparencyLog) map[string]*root.TransparencyLog {
		for id, l := range logs {
			raw, err := hex.DecodeString(id)
			g.Expect(err).NotTo(HaveOccurred())
			l.ID = raw
		}
		return logs
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		vs.FulcioCertificateAuthorities(), fixIDs(vs.CTLogs()), vs.TimestampingAuthorities(), fixIDs(vs.RekorLogs()))
	g.Expect(err).NotTo(HaveOccurred())
	data, err := tr.MarshalJSON()
	g.Expect(err).NotTo(HaveOccurred())
	return virtualSigstore{vs: vs, trustedRoot: data}
}

// keylessBundle signs stmt with a short-lived certificate for
// subject/issuer, logs it in the virtual transparency log with an
// inclusion proof and timestamps it, and returns the bundle v0.3.
func (v virtualSigstore) keylessBundle(t *testing.T, subject, issuer string, stmt []byte) []byte {
	t.Helper()
	return v.keylessBundleWith(t, subject, issuer, stmt, nil)
}

// keylessBundleWith is keylessBundle with a hook that may alter the bundle
// before it is encoded.
func (v virtualSigstore) keylessBundleWith(t *testing.T, subject, issuer string, stmt []byte, alter func(*protobundle.Bundle)) []byte {
	t.Helper()
	g := NewWithT(t)
	entity, err := v.vs.AttestAtTime(subject, issuer, stmt, time.Now().Add(time.Minute), true)
	g.Expect(err).NotTo(HaveOccurred())
	vc, err := entity.VerificationContent()
	g.Expect(err).NotTo(HaveOccurred())
	sc, err := entity.SignatureContent()
	g.Expect(err).NotTo(HaveOccurred())
	env := sc.EnvelopeContent().RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	g.Expect(err).NotTo(HaveOccurred())
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	g.Expect(err).NotTo(HaveOccurred())
	entries, err := entity.TlogEntries()
	g.Expect(err).NotTo(HaveOccurred())
	tsrs, err := entity.Timestamps()
	g.Expect(err).NotTo(HaveOccurred())

	pb := &protobundle.Bundle{
		MediaType: bundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TimestampVerificationData: &protobundle.TimestampVerificationData{},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     payload,
			PayloadType: env.PayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig}},
		}},
	}
	for _, e := range entries {
		// The helper's entry lacks the kind and version a bundle records;
		// they are those of its canonicalized body.
		tle := e.TransparencyLogEntry()
		var kv struct {
			Kind       string `json:"kind"`
			APIVersion string `json:"apiVersion"`
		}
		g.Expect(json.Unmarshal(tle.GetCanonicalizedBody(), &kv)).To(Succeed())
		tle.KindVersion = &protorekor.KindVersion{Kind: kv.Kind, Version: kv.APIVersion}
		pb.VerificationMaterial.TlogEntries = append(pb.VerificationMaterial.TlogEntries, tle)
	}
	for _, ts := range tsrs {
		pb.VerificationMaterial.TimestampVerificationData.Rfc3161Timestamps = append(
			pb.VerificationMaterial.TimestampVerificationData.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
	}
	if alter != nil {
		alter(pb)
	}
	b, err := sgbundle.NewBundle(pb)
	g.Expect(err).NotTo(HaveOccurred())
	data, err := b.MarshalJSON()
	g.Expect(err).NotTo(HaveOccurred())
	return data
}

// mustHash parses a digest reference's hash.
func mustHash(t *testing.T, d name.Digest) gcrv1.Hash {
	t.Helper()
	h, err := gcrv1.NewHash(d.DigestStr())
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return h
}
