// Package azure logs in to Azure Container Registry with Azure Workload
// Identity: azidentity's workload identity credential sends the pod's
// federated service account token to Entra ID, whose access token is
// traded at the registry's POST /oauth2/exchange (grant_type=access_token,
// service, tenant, access_token) for a refresh token. The registry accepts
// that refresh token as the password of user
// 00000000-0000-0000-0000-000000000000.
//
//	p, err := azure.NewProvider()
//	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
//
// # What to configure
//
//   - AZURE_CLIENT_ID (or [WithClientID]): the client ID of the managed
//     identity or app registration with a federated credential for the
//     service account, and the AcrPull (or AcrPush) role on the registry.
//   - AZURE_TENANT_ID (or [WithTenantID]): its Entra ID tenant.
//   - AZURE_FEDERATED_TOKEN_FILE (or [WithFederatedTokenFile]): the
//     projected service account token, audience
//     "api://AzureADTokenExchange".
//   - Optionally AZURE_AUTHORITY_HOST (or [WithAuthorityHost]); the default
//     follows the registry's cloud (.azurecr.io public, .azurecr.cn China,
//     .azurecr.us US Government).
//
// On AKS the workload identity webhook sets all four for pods labelled
// azure.workload.identity/use=true whose service account is annotated with
// azure.workload.identity/client-id. The token's scope defaults to Azure
// Resource Manager (https://management.azure.com/.default in the public
// cloud); [WithScope] changes it. [WithoutInstanceDiscovery],
// [WithExchangeEndpoint] and [WithHTTPClient] serve private clouds and
// tests.
//
// # Errors
//
// [Provider.Login] returns *auth.LoginError values whose Stage says which
// step failed; see its doc. The federated token, the Entra ID token and
// the refresh token never appear in their messages.
package azure
