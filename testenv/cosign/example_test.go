package cosign_test

import (
	"context"
	"log"

	"github.com/sluice-dev/sluice/testenv/cosign"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// Sign an image in a TLS registry with authentication, then verify it. Not
// run as a test: the first use builds cosign.
func Example() {
	ctx := context.Background()
	reg, err := registry.New(ctx, registry.WithTLS(), registry.WithUser("signer", "s3cret"))
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = reg.Close() }()
	digestRef := reg.Ref("team/app@sha256:...") // an image pushed beforehand

	c, err := cosign.New(ctx, cosign.Options{})
	if err != nil {
		log.Fatal(err)
	}
	keys, err := c.GenerateKeyPair(ctx, "/tmp/keys")
	if err != nil {
		log.Fatal(err)
	}
	access := cosign.FromRegistry(reg)
	if err := c.Sign(ctx, digestRef, keys.PrivateKey, cosign.SignOptions{Registry: access}); err != nil {
		log.Fatal(err)
	}
	if err := c.Verify(ctx, digestRef, keys.PublicKey, cosign.VerifyOptions{Registry: access}); err != nil {
		log.Fatal(err)
	}
}
