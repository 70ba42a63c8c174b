package azure_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/oci/auth/azure"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
)

// Logging in to ACR against local Entra ID and exchange servers. In a pod,
// the identity comes from AZURE_CLIENT_ID, AZURE_TENANT_ID and
// AZURE_FEDERATED_TOKEN_FILE, and the endpoints are Azure's.
func ExampleNewProvider() {
	fake := cloudtest.NewAzure()
	defer fake.Close()
	fake.RefreshToken = "acr-refresh-token"
	dir, err := os.MkdirTemp("", "azwi")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tokenFile := filepath.Join(dir, "azure-identity-token")
	if err := os.WriteFile(tokenFile, []byte("projected-service-account-token"), 0o600); err != nil {
		log.Fatal(err)
	}

	p, err := azure.NewProvider(
		azure.WithClientID(fake.ClientID),
		azure.WithTenantID(fake.Tenant),
		azure.WithFederatedTokenFile(tokenFile),
		azure.WithAuthorityHost(fake.AAD.URL),
		azure.WithoutInstanceDiscovery(),
		azure.WithExchangeEndpoint(fake.ACR.URL),
		azure.WithHTTPClient(fake.Client()),
	)
	if err != nil {
		log.Fatal(err)
	}
	cred, err := p.Login(context.Background(), "sluice.azurecr.io")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cred.Username, cred.Password)
	// Output: 00000000-0000-0000-0000-000000000000 acr-refresh-token
}
