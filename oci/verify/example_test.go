package verify_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/sluice-dev/sluice/oci/verify"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// Example pushes an artifact to a local registry, signs it the way cosign's
// legacy format does, and verifies it with the public key. Another artifact
// without a signature is refused with ErrNoSignature.
func Example() {
	ctx := context.Background()
	reg, err := registry.New(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { _ = reg.Close() }()

	push := func(tag string) name.Digest {
		img, err := random.Image(256, 1)
		if err != nil {
			panic(err)
		}
		ref, err := name.NewTag(reg.Ref("team/app:"+tag), name.Insecure)
		if err != nil {
			panic(err)
		}
		if err := remote.Write(ref, img); err != nil {
			panic(err)
		}
		d, err := img.Digest()
		if err != nil {
			panic(err)
		}
		return ref.Context().Digest(d.String())
	}
	signed, unsigned := push("v1"), push("v2")

	// The signer's side: a simple-signing payload naming the digest, its
	// signature in an annotation, under the tag "sha256-<hex>.sig".
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	signer, err := signature.LoadECDSASigner(priv, crypto.SHA256)
	if err != nil {
		panic(err)
	}
	msg, err := payload.Cosign{Image: signed}.MarshalJSON()
	if err != nil {
		panic(err)
	}
	sig, err := signer.SignMessage(bytes.NewReader(msg))
	if err != nil {
		panic(err)
	}
	sigImg, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:       static.NewLayer(msg, "application/vnd.dev.cosign.simplesigning.v1+json"),
		Annotations: map[string]string{"dev.cosignproject.cosign/signature": base64.StdEncoding.EncodeToString(sig)},
	})
	if err != nil {
		panic(err)
	}
	sigTag := signed.Context().Tag("sha256-" + signed.DigestStr()[len("sha256:"):] + ".sig")
	if err := remote.Write(sigTag, sigImg); err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		panic(err)
	}
	publicKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	// The consumer's side.
	v, err := verify.New(verify.WithPublicKeys(publicKey))
	if err != nil {
		panic(err)
	}
	res, err := v.Verify(ctx, signed)
	fmt.Println(res.Status, res.Format, err)

	res, err = v.Verify(ctx, unsigned)
	fmt.Println(res.Status, errors.Is(err, verify.ErrNoSignature))
	// Output:
	// Verified legacy <nil>
	// NotVerified true
}

// ExampleNew shows the options that select keyless verification, and the
// error for a verifier without any trust material.
func ExampleNew() {
	_, err := verify.New()
	fmt.Println(err)
	fmt.Println(errors.Is(err, verify.ErrInvalidOption))

	// Keyless verification would be:
	//
	//	v, err := verify.New(
	//		verify.WithTrustedRoot(trustedRootJSON),
	//		verify.WithIdentities(verify.Identity{
	//			SubjectRegexp: `^https://github\.com/my-org/my-repo/\.github/workflows/release\.yml@refs/tags/v`,
	//			Issuer:        "https://token.actions.githubusercontent.com",
	//		}),
	//		verify.WithRemoteOptions(remote.WithAuthFromKeychain(authn.DefaultKeychain)),
	//	)

	// Output:
	// invalid option: need WithPublicKeys or WithTrustedRoot
	// true
}
