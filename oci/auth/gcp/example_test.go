package gcp_test

import (
	"context"
	"fmt"
	"log"

	"github.com/sluice-dev/sluice/oci/auth/gcp"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
)

// Logging in to Artifact Registry with a token from a local metadata
// server. On GKE no option is needed.
func ExampleNewProvider() {
	fake := cloudtest.NewGCP()
	defer fake.Close()

	p, err := gcp.NewProvider(
		gcp.WithMetadataEndpoint(fake.Server.URL),
		// Ignore this machine's GOOGLE_APPLICATION_CREDENTIALS, if any.
		gcp.WithLookupEnv(func(string) (string, bool) { return "", false }),
	)
	if err != nil {
		log.Fatal(err)
	}
	cred, err := p.Login(context.Background(), "europe-west1-docker.pkg.dev")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ID(), cred.Username, cred.Password)
	// Output: gcp:metadata/default oauth2accesstoken ya29.fake-metadata-token
}
