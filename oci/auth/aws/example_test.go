package aws_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/aws"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
)

// Logging in to ECR against local STS and ECR servers. In a pod, the
// options come from AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and
// AWS_REGION, and the endpoints are AWS's.
func ExampleNewProvider() {
	fake := cloudtest.NewAWS()
	defer fake.Close()
	dir, err := os.MkdirTemp("", "irsa")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("projected-service-account-token"), 0o600); err != nil {
		log.Fatal(err)
	}

	p, err := aws.NewProvider(
		aws.WithRoleARN("arn:aws:iam::123456789012:role/puller"),
		aws.WithWebIdentityTokenFile(tokenFile),
		aws.WithSTSEndpoint(fake.STS.URL),
		aws.WithECREndpoint(fake.ECR.URL),
	)
	if err != nil {
		log.Fatal(err)
	}
	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
	if err != nil {
		log.Fatal(err)
	}
	host := "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
	provider, _ := kc.ProviderFor(host)
	cred, err := provider.Login(context.Background(), host)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(provider.ID(), cred.Username, fake.ECRCalls()[0].Region)
	// Output: aws:arn:aws:iam::123456789012:role/puller AWS eu-west-1
}
