package registry_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sluice-dev/sluice/testenv/registry"
)

// A registry over TLS with a user: push an image and list its tags with
// go-containerregistry.
func Example() {
	ctx := context.Background()
	reg, err := registry.New(ctx, registry.WithTLS(), registry.WithUser("sluice", "s3cret"))
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()

	ref, err := name.NewTag(reg.Ref("team/app:v1"))
	if err != nil {
		log.Fatal(err)
	}
	creds := reg.Credentials()
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(reg.Transport()), // trusts the registry's CA
		remote.WithAuth(&authn.Basic{Username: creds.Username, Password: creds.Password}),
	}
	img, err := random.Image(1024, 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		log.Fatal(err)
	}
	tags, err := remote.List(ref.Context(), opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reg.Backend(), reg.URL() == "https://"+reg.Host(), tags)
	// Output: distribution true [v1]
}

// Counting the requests a client makes, e.g. for a request-count benchmark.
func ExampleWithRequestHook() {
	ctx := context.Background()
	var manifestPuts atomic.Int64
	reg, err := registry.New(ctx, registry.WithRequestHook(func(r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Path == "/v2/app/manifests/v1" {
			manifestPuts.Add(1)
		}
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()

	ref, err := name.NewTag(reg.Ref("app:v1"), name.Insecure) // plain HTTP
	if err != nil {
		log.Fatal(err)
	}
	img, err := random.Image(1024, 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx), remote.WithTransport(reg.Transport())); err != nil {
		log.Fatal(err)
	}
	fmt.Println("manifest uploads:", manifestPuts.Load())
	// Output: manifest uploads: 1
}

// The referrers API, served by go-containerregistry's registry.
func ExampleWithReferrersAPI() {
	reg, err := registry.New(context.Background(), registry.WithReferrersAPI())
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()
	fmt.Println(reg.Backend())
	// Output: go-containerregistry
}
