package azure

import (
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/sluice-dev/sluice/oci/auth"
)

// Environment variables NewProvider reads for settings no option gives.
// The Azure Workload Identity webhook sets the first three.
const (
	// EnvClientID is the client (application) ID of the identity.
	EnvClientID = "AZURE_CLIENT_ID"
	// EnvTenantID is the Entra ID tenant.
	EnvTenantID = "AZURE_TENANT_ID"
	// EnvFederatedTokenFile is the file holding the workload's projected
	// service account token.
	EnvFederatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
	// EnvAuthorityHost is the Entra ID authority, such as
	// "https://login.microsoftonline.com/".
	EnvAuthorityHost = "AZURE_AUTHORITY_HOST"
)

// Option configures a Provider created by NewProvider. Options win over
// environment variables.
type Option func(*options)

// options is the private state the Option functions fill in.
type options struct {
	clientID         string
	tenantID         string
	tokenFile        string
	authorityHost    string
	scope            string
	exchangeEndpoint string
	noInstanceDiscov bool
	httpClient       *http.Client
	httpClientSet    bool
	lookupEnv        func(string) (string, bool)
}

// WithClientID sets the client ID of the workload identity. Default:
// AZURE_CLIENT_ID.
func WithClientID(id string) Option {
	return func(o *options) { o.clientID = id }
}

// WithTenantID sets the Entra ID tenant. Default: AZURE_TENANT_ID.
func WithTenantID(id string) Option {
	return func(o *options) { o.tenantID = id }
}

// WithFederatedTokenFile sets the file holding the workload's service
// account token, the client assertion sent to Entra ID. Default:
// AZURE_FEDERATED_TOKEN_FILE.
func WithFederatedTokenFile(path string) Option {
	return func(o *options) { o.tokenFile = path }
}

// WithAuthorityHost sets the Entra ID authority host URL; it must be https.
// Default: AZURE_AUTHORITY_HOST, else the authority of the registry's cloud
// (login.microsoftonline.com, login.chinacloudapi.cn for .azurecr.cn,
// login.microsoftonline.us for .azurecr.us).
func WithAuthorityHost(host string) Option {
	return func(o *options) { o.authorityHost = host }
}

// WithScope sets the scope of the Entra ID token traded at the registry.
// Default: the Azure Resource Manager scope of the registry's cloud, such
// as "https://management.azure.com/.default".
func WithScope(scope string) Option {
	return func(o *options) { o.scope = scope }
}

// WithExchangeEndpoint sets the base URL whose /oauth2/exchange trades the
// Entra ID token for a registry refresh token, for a registry reached
// through a proxy, or a local server in tests. Default:
// "https://<registry host>".
func WithExchangeEndpoint(endpoint string) Option {
	return func(o *options) { o.exchangeEndpoint = endpoint }
}

// WithoutInstanceDiscovery stops Entra ID instance discovery (a request to
// login.microsoft.com validating the authority) for private or
// disconnected clouds and tests; the authority is then trusted as given.
// Default: discovery on.
func WithoutInstanceDiscovery() Option {
	return func(o *options) { o.noInstanceDiscov = true }
}

// WithHTTPClient sets the HTTP client for Entra ID and the exchange.
// client must not be nil. Default: http.DefaultClient for the exchange and
// the Azure SDK's client for Entra ID.
func WithHTTPClient(client *http.Client) Option {
	return func(o *options) {
		o.httpClient = client
		o.httpClientSet = true
	}
}

// WithLookupEnv sets how NewProvider reads environment variables. lookup
// must not be nil. Default: os.LookupEnv.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(o *options) { o.lookupEnv = lookup }
}

// resolve applies defaults from the environment and checks the options.
func (o *options) resolve() error {
	if o.lookupEnv == nil {
		return fmt.Errorf("%w: WithLookupEnv: nil function", auth.ErrInvalidOption)
	}
	if o.httpClientSet && o.httpClient == nil {
		return fmt.Errorf("%w: WithHTTPClient: nil client", auth.ErrInvalidOption)
	}
	env := func(dst *string, name string) {
		if v, ok := o.lookupEnv(name); ok && *dst == "" {
			*dst = v
		}
	}
	env(&o.clientID, EnvClientID)
	env(&o.tenantID, EnvTenantID)
	env(&o.tokenFile, EnvFederatedTokenFile)
	env(&o.authorityHost, EnvAuthorityHost)
	if o.authorityHost != "" {
		if u, err := url.Parse(o.authorityHost); err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("%w: authority host: not an https URL", auth.ErrInvalidOption)
		}
	}
	if o.exchangeEndpoint != "" {
		if u, err := url.Parse(o.exchangeEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: WithExchangeEndpoint: not an http(s) URL", auth.ErrInvalidOption)
		}
	}
	return nil
}

// defaultOptions are the options before any Option is applied.
func defaultOptions() *options {
	return &options{lookupEnv: os.LookupEnv}
}
