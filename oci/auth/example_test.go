package auth_test

import (
	"context"
	"fmt"
	"log"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sluice-dev/sluice/oci/auth"
)

// A controller hands the data of a kubernetes.io/dockerconfigjson Secret
// over; the keychain answers for the registries it lists.
func ExampleFromSecretData() {
	data := map[string][]byte{
		auth.KeyDockerConfigJSON: []byte(`{"auths":{"ghcr.io":{"username":"bot","password":"s3cret"}}}`),
	}
	kc, err := auth.FromSecretData(data)
	if err != nil {
		log.Fatal(err)
	}
	for _, ref := range []string{"ghcr.io/org/app:v1", "quay.io/org/app:v1"} {
		r, err := name.ParseReference(ref)
		if err != nil {
			log.Fatal(err)
		}
		a, err := kc.Resolve(r.Context())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Context().RegistryStr(), describe(a))
	}
	// Output:
	// ghcr.io auth.basic(bot:[redacted])
	// quay.io anonymous
}

// Which cloud login a registry host gets.
func ExampleCloudOf() {
	for _, host := range []string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com",
		"sluice.azurecr.io",
		"europe-west1-docker.pkg.dev",
		"gcr.io",
		"ghcr.io",
	} {
		fmt.Println(host, auth.CloudOf(host))
	}
	// Output:
	// 123456789012.dkr.ecr.eu-west-1.amazonaws.com aws
	// sluice.azurecr.io azure
	// europe-west1-docker.pkg.dev gcp
	// gcr.io gcp
	// ghcr.io none
}

// Secrets first, then the workload's cloud identity: a chain returns the
// first credentials found.
func ExampleChain() {
	secret, err := auth.FromSecretData(map[string][]byte{
		auth.KeyDockerConfigJSON: []byte(`{"auths":{"ghcr.io":{"auth":"Ym90OnMzY3JldA=="}}}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	fallback := auth.ForRegistry("registry.example.com", auth.Bearer("token"))
	kc := auth.Chain(secret, fallback)
	for _, host := range []string{"ghcr.io", "registry.example.com", "quay.io"} {
		reg, err := name.NewRegistry(host)
		if err != nil {
			log.Fatal(err)
		}
		a, err := kc.Resolve(reg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(host, describe(a))
	}
	// Output:
	// ghcr.io auth.basic(bot:[redacted])
	// registry.example.com auth.bearer([redacted])
	// quay.io anonymous
}

// A provider that needs no cloud: it shows the Provider contract a
// CloudKeychain relies on.
type staticProvider struct{}

func (staticProvider) Cloud() auth.Cloud { return auth.CloudGCP }
func (staticProvider) ID() string        { return "example" }
func (staticProvider) Login(_ context.Context, registry string) (auth.Credential, error) {
	return auth.Credential{Username: "oauth2accesstoken", Password: "token-for-" + registry}, nil
}

// A cloud keychain picks the provider by registry host.
func ExampleNewCloudKeychain() {
	kc, err := auth.NewCloudKeychain([]auth.Provider{staticProvider{}})
	if err != nil {
		log.Fatal(err)
	}
	for _, host := range []string{"europe-docker.pkg.dev", "ghcr.io"} {
		reg, err := name.NewRegistry(host)
		if err != nil {
			log.Fatal(err)
		}
		a, err := kc.Resolve(reg)
		if err != nil {
			log.Fatal(err)
		}
		cfg, err := a.Authorization()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(host, describe(a), cfg.Username != "")
	}
	// Output:
	// europe-docker.pkg.dev auth.cloud(gcp, europe-docker.pkg.dev) true
	// ghcr.io anonymous false
}

// describe prints an authenticator, naming authn.Anonymous.
func describe(a authn.Authenticator) string {
	if a == authn.Anonymous {
		return "anonymous"
	}
	return fmt.Sprint(a)
}
