package azure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/internal/oauth"
)

// Username is the registry user name of ACR credentials obtained with an
// Entra ID token: a refresh token is the password of this null GUID.
const Username = "00000000-0000-0000-0000-000000000000"

// Provider logs in to Azure Container Registry with Azure Workload
// Identity: it gets an Entra ID token with azidentity's workload identity
// credential (the federated service account token as client assertion) and
// trades it at the registry's /oauth2/exchange for a refresh token. It
// implements auth.Provider and is safe for concurrent use. Create it with
// NewProvider.
type Provider struct {
	o options

	mu    sync.Mutex
	creds map[string]*azidentity.WorkloadIdentityCredential // by authority host
}

// NewProvider returns a Provider configured by opts, then by the
// environment variables named by the Env constants. Missing settings are
// not an error here: Login reports them. It returns an error wrapping
// auth.ErrInvalidOption for an invalid option.
func NewProvider(opts ...Option) (*Provider, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(o)
	}
	if err := o.resolve(); err != nil {
		return nil, fmt.Errorf("new azure provider: %w", err)
	}
	return &Provider{o: *o, creds: map[string]*azidentity.WorkloadIdentityCredential{}}, nil
}

// Cloud returns auth.CloudAzure.
func (p *Provider) Cloud() auth.Cloud { return auth.CloudAzure }

// ID returns "azure:", the tenant ID, "/" and the client ID.
func (p *Provider) ID() string { return "azure:" + p.o.tenantID + "/" + p.o.clientID }

// Login returns ACR credentials for registry: user Username and a registry
// refresh token as password, valid until the token's "exp" claim (about
// three hours), else until the Entra ID token expires.
//
// Errors are *auth.LoginError values: Stage auth.StageConfigure wrapping
// auth.ErrNotConfigured (no client ID, tenant ID or token file);
// auth.StageReadToken for an unreadable or empty token file;
// auth.StageIdentity for a failed Entra ID request (an
// *azidentity.AuthenticationFailedError stays in the chain);
// auth.StageRegistryToken for a failed exchange (wrapping
// auth.ErrUnexpectedResponse). No token appears in the error's message.
func (p *Provider) Login(ctx context.Context, registry string) (auth.Credential, error) {
	fail := func(stage string, err error, secrets ...string) (auth.Credential, error) {
		return auth.Credential{}, auth.NewLoginError("azure", registry, stage, err, secrets...)
	}
	switch {
	case p.o.clientID == "":
		return fail(auth.StageConfigure, fmt.Errorf("%w: no client ID (%s)", auth.ErrNotConfigured, EnvClientID))
	case p.o.tenantID == "":
		return fail(auth.StageConfigure, fmt.Errorf("%w: no tenant ID (%s)", auth.ErrNotConfigured, EnvTenantID))
	case p.o.tokenFile == "":
		return fail(auth.StageConfigure, fmt.Errorf("%w: no federated token file (%s)", auth.ErrNotConfigured, EnvFederatedTokenFile))
	}
	raw, err := os.ReadFile(p.o.tokenFile)
	if err != nil {
		return fail(auth.StageReadToken, err)
	}
	assertion := strings.TrimSpace(string(raw))
	if assertion == "" {
		return fail(auth.StageReadToken, fmt.Errorf("%w: federated token file %s is empty", auth.ErrNotConfigured, p.o.tokenFile), string(raw))
	}

	cc, scope := cloudOf(registry)
	if p.o.authorityHost != "" {
		cc = cloud.Configuration{ActiveDirectoryAuthorityHost: p.o.authorityHost}
	}
	if p.o.scope != "" {
		scope = p.o.scope
	}
	cred, err := p.credential(cc)
	if err != nil {
		return fail(auth.StageConfigure, err, assertion)
	}
	aad, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}, TenantID: p.o.tenantID})
	if err != nil {
		return fail(auth.StageIdentity, err, assertion)
	}

	refresh, err := p.exchange(ctx, registry, aad.Token)
	if err != nil {
		return fail(auth.StageRegistryToken, err, assertion, aad.Token, refresh)
	}
	expires := aad.ExpiresOn
	if exp, ok := oauth.JWTExpiry(refresh); ok {
		expires = exp
	}
	return auth.Credential{Username: Username, Password: refresh, ExpiresAt: expires}, nil
}

// cloudOf returns the Azure cloud and Resource Manager scope of a registry
// host by its suffix.
func cloudOf(registry string) (cloud.Configuration, string) {
	host := strings.ToLower(registry)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	switch {
	case strings.HasSuffix(host, ".azurecr.cn"):
		return cloud.AzureChina, "https://management.chinacloudapi.cn/.default"
	case strings.HasSuffix(host, ".azurecr.us"):
		return cloud.AzureGovernment, "https://management.usgovcloudapi.net/.default"
	default:
		return cloud.AzurePublic, "https://management.azure.com/.default"
	}
}

// credential returns the workload identity credential for a cloud, made
// once per authority host so that azidentity's token cache is reused.
func (p *Provider) credential(cc cloud.Configuration) (*azidentity.WorkloadIdentityCredential, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.creds[cc.ActiveDirectoryAuthorityHost]; ok {
		return c, nil
	}
	co := azcore.ClientOptions{Cloud: cc}
	if p.o.httpClient != nil {
		co.Transport = p.o.httpClient
	}
	c, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions:            co,
		ClientID:                 p.o.clientID,
		TenantID:                 p.o.tenantID,
		TokenFilePath:            p.o.tokenFile,
		DisableInstanceDiscovery: p.o.noInstanceDiscov,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", auth.ErrNotConfigured, err)
	}
	p.creds[cc.ActiveDirectoryAuthorityHost] = c
	return c, nil
}

// exchangeAnswer is the JSON of a successful /oauth2/exchange.
type exchangeAnswer struct {
	RefreshToken string `json:"refresh_token"`
}

// exchange trades an Entra ID access token for an ACR refresh token.
func (p *Provider) exchange(ctx context.Context, registry, accessToken string) (string, error) {
	base := p.o.exchangeEndpoint
	if base == "" {
		base = "https://" + registry
	}
	form := url.Values{
		"grant_type":   {"access_token"},
		"service":      {registry},
		"tenant":       {p.o.tenantID},
		"access_token": {accessToken},
	}
	client := p.o.httpClient
	if client == nil {
		client = &http.Client{}
	}
	var ans exchangeAnswer
	if err := oauth.PostForm(ctx, client, strings.TrimSuffix(base, "/")+"/oauth2/exchange", form, nil, &ans); err != nil {
		return "", err
	}
	if ans.RefreshToken == "" {
		return "", fmt.Errorf("%w: exchange answer without refresh_token", auth.ErrUnexpectedResponse)
	}
	return ans.RefreshToken, nil
}
