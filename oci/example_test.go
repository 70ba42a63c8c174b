package oci_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// Push a directory as an artifact and pull it back, against a local
// plain-HTTP registry (hence WithInsecureHTTP).
func Example() {
	ctx := context.Background()
	reg, err := registry.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = reg.Close() }()

	src, _ := os.MkdirTemp("", "example-")
	defer func() { _ = os.RemoveAll(src) }()
	_ = os.WriteFile(filepath.Join(src, "app.yaml"), []byte("kind: ConfigMap\n"), 0o644)

	c, err := oci.New(oci.WithInsecureHTTP())
	if err != nil {
		log.Fatal(err)
	}
	pushed, err := c.Push(ctx, reg.Ref("team/app:v1.0.0"), src, oci.PushOptions{
		Source:   "https://github.com/example/app",
		Revision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pushed.Revision.Pointer, pushed.Layer.MediaType)

	out := filepath.Join(src, "pulled")
	pulled, err := c.Pull(ctx, reg.Ref("team/app:v1.0.0"), out, oci.PullOptions{})
	if err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(out, "app.yaml"))
	fmt.Print(pulled.Digest == pushed.Digest, " ", string(data))
	// Output:
	// v1.0.0 application/vnd.cncf.flux.content.v1.tar+gzip
	// true kind: ConfigMap
}

// Plain HTTP is refused unless allowed.
func ExampleWithInsecureHTTP() {
	ctx := context.Background()
	reg, err := registry.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = reg.Close() }()

	strict, _ := oci.New()
	_, err = strict.ListTags(ctx, reg.Ref("team/app"), oci.ListTagsOptions{})
	fmt.Println(errors.Is(err, oci.ErrInsecureHTTP))
	// Output: true
}

// Pick the newest tag within a semver range; cosign's signature tags are
// hidden from the listing.
func ExampleClient_ResolveSemver() {
	ctx := context.Background()
	reg, err := registry.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = reg.Close() }()
	src, _ := os.MkdirTemp("", "example-")
	defer func() { _ = os.RemoveAll(src) }()

	c, _ := oci.New(oci.WithInsecureHTTP())
	for _, tag := range []string{"v1.0.0", "v1.4.2", "v2.0.0"} {
		_ = os.WriteFile(filepath.Join(src, "version"), []byte(tag), 0o644)
		if _, err := c.Push(ctx, reg.Ref("team/app:"+tag), src, oci.PushOptions{}); err != nil {
			log.Fatal(err)
		}
	}
	pushed, _ := c.Resolve(ctx, reg.Ref("team/app:v1.0.0"))
	_, _ = c.Tag(ctx, reg.Ref("team/app:v1.0.0"), "sha256-"+pushed.Digest.Encoded()+".sig")

	tags, _ := c.ListTags(ctx, reg.Ref("team/app"), oci.ListTagsOptions{})
	fmt.Println(tags)
	res, err := c.ResolveSemver(ctx, reg.Ref("team/app"), "^1.0", oci.ListTagsOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Tag)
	// Output:
	// [v1.0.0 v1.4.2 v2.0.0]
	// v1.4.2
}
