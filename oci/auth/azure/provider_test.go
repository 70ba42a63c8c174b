package azure_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/azure"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
)

const (
	acrHost      = "sluice.azurecr.io"
	federatedJWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Zmx1eCJ9.ZmVkZXJhdGVk"
)

// setup starts the fakes and returns options pointing at them, with the
// identity from a fixed environment.
func setup(t *testing.T) (*cloudtest.Azure, []azure.Option) {
	t.Helper()
	f := cloudtest.NewAzure()
	t.Cleanup(f.Close)
	vars := map[string]string{
		azure.EnvClientID:           f.ClientID,
		azure.EnvTenantID:           f.Tenant,
		azure.EnvFederatedTokenFile: tokenFile(t, federatedJWT),
		azure.EnvAuthorityHost:      f.AAD.URL,
	}
	return f, []azure.Option{
		azure.WithLookupEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok }),
		azure.WithoutInstanceDiscovery(),
		azure.WithExchangeEndpoint(f.ACR.URL),
		azure.WithHTTPClient(f.Client()),
	}
}

// tokenFile writes a federated token file.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "azure-identity-token")
	if err := os.WriteFile(p, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLogin(t *testing.T) {
	g := NewWithT(t)
	f, opts := setup(t)
	f.RefreshExpiry = time.Now().Add(3 * time.Hour).Truncate(time.Second)
	p, err := azure.NewProvider(opts...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.Cloud()).To(Equal(auth.CloudAzure))
	g.Expect(p.ID()).To(Equal("azure:" + f.Tenant + "/" + f.ClientID))

	cred, err := p.Login(t.Context(), acrHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Username).To(Equal(azure.Username))
	g.Expect(cred.Password).To(HavePrefix("eyJ"))
	g.Expect(cred.ExpiresAt.Equal(f.RefreshExpiry)).To(BeTrue(), "expiry %s", cred.ExpiresAt)

	g.Expect(f.TokenRequests()).To(Equal([]cloudtest.AADTokenRequest{{
		Tenant: f.Tenant, ClientID: f.ClientID, Scope: "https://management.azure.com/.default",
		GrantType: "client_credentials", AssertionType: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", Assertion: federatedJWT,
	}}))
	g.Expect(f.Exchanges()).To(Equal([]cloudtest.ACRExchange{{GrantType: "access_token", Service: acrHost, Tenant: f.Tenant, AccessToken: f.AccessToken}}))
	g.Expect(f.InstanceDiscoveryCalls()).To(BeZero())

	// azidentity keeps the Entra ID token; a second login only exchanges.
	_, err = p.Login(t.Context(), "other.azurecr.io")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.TokenRequests()).To(HaveLen(1))
	g.Expect(f.Exchanges()).To(HaveLen(2))
}

func TestLoginScopes(t *testing.T) {
	for host, scope := range map[string]string{
		"sluice.azurecr.cn": "https://management.chinacloudapi.cn/.default",
		"sluice.azurecr.us": "https://management.usgovcloudapi.net/.default",
	} {
		t.Run(host, func(t *testing.T) {
			g := NewWithT(t)
			f, opts := setup(t)
			p, err := azure.NewProvider(opts...)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = p.Login(t.Context(), host)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(f.TokenRequests()[0].Scope).To(Equal(scope))
		})
	}
	t.Run("WithScope", func(t *testing.T) {
		g := NewWithT(t)
		f, opts := setup(t)
		p, err := azure.NewProvider(append(opts, azure.WithScope("https://containerregistry.azure.net/.default"))...)
		g.Expect(err).NotTo(HaveOccurred())
		_, err = p.Login(t.Context(), acrHost)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(f.TokenRequests()[0].Scope).To(Equal("https://containerregistry.azure.net/.default"))
	})
}

func TestLoginOpaqueRefreshTokenExpiresWithEntraToken(t *testing.T) {
	g := NewWithT(t)
	f, opts := setup(t)
	f.RefreshToken = "opaque-refresh-token"
	p, err := azure.NewProvider(opts...)
	g.Expect(err).NotTo(HaveOccurred())
	cred, err := p.Login(t.Context(), acrHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Password).To(Equal("opaque-refresh-token"))
	g.Expect(cred.ExpiresAt).To(BeTemporally("~", time.Now().Add(time.Hour), time.Minute))
}

func TestLoginDefaultExchangeEndpointIsRegistry(t *testing.T) {
	g := NewWithT(t)
	f, opts := setup(t)
	p, err := azure.NewProvider(opts[0], opts[1], opts[3]) // no WithExchangeEndpoint
	g.Expect(err).NotTo(HaveOccurred())
	registry := strings.TrimPrefix(f.ACR.URL, "https://")
	_, err = p.Login(t.Context(), registry)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Exchanges()[0].Service).To(Equal(registry))
}

func TestLoginErrors(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(t *testing.T, f *cloudtest.Azure) []azure.Option
		stage    string
		sentinel error
		aadErr   bool
	}{
		{name: "no client ID", mutate: func(*testing.T, *cloudtest.Azure) []azure.Option {
			return []azure.Option{azure.WithLookupEnv(func(string) (string, bool) { return "", false }), azure.WithTenantID("t")}
		}, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured},
		{name: "no tenant", mutate: func(*testing.T, *cloudtest.Azure) []azure.Option {
			return []azure.Option{azure.WithLookupEnv(func(string) (string, bool) { return "", false }), azure.WithClientID("c")}
		}, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured},
		{name: "no token file", mutate: func(*testing.T, *cloudtest.Azure) []azure.Option {
			return []azure.Option{azure.WithLookupEnv(func(string) (string, bool) { return "", false }), azure.WithClientID("c"), azure.WithTenantID("t")}
		}, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured},
		{name: "token file absent", mutate: func(t *testing.T, _ *cloudtest.Azure) []azure.Option {
			return []azure.Option{azure.WithFederatedTokenFile(filepath.Join(t.TempDir(), "absent"))}
		}, stage: auth.StageReadToken, sentinel: os.ErrNotExist},
		{name: "token file empty", mutate: func(t *testing.T, _ *cloudtest.Azure) []azure.Option {
			return []azure.Option{azure.WithFederatedTokenFile(tokenFile(t, "\n"))}
		}, stage: auth.StageReadToken, sentinel: auth.ErrNotConfigured},
		{name: "Entra ID refuses", mutate: func(_ *testing.T, f *cloudtest.Azure) []azure.Option {
			f.TokenError = "invalid_client"
			return nil
		}, stage: auth.StageIdentity, aadErr: true},
		{name: "exchange refused", mutate: func(_ *testing.T, f *cloudtest.Azure) []azure.Option {
			f.ExchangeStatus = http.StatusUnauthorized
			return nil
		}, stage: auth.StageRegistryToken, sentinel: auth.ErrUnexpectedResponse},
		{name: "exchange answers no token", mutate: func(_ *testing.T, f *cloudtest.Azure) []azure.Option {
			f.ExchangeStatus = http.StatusOK
			return nil
		}, stage: auth.StageRegistryToken, sentinel: auth.ErrUnexpectedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			f, opts := setup(t)
			p, err := azure.NewProvider(append(opts, tt.mutate(t, f)...)...)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = p.Login(t.Context(), acrHost)
			t.Log(err)
			var le *auth.LoginError
			g.Expect(errors.As(err, &le)).To(BeTrue(), "%T %v", err, err)
			g.Expect(le.Provider).To(Equal("azure"))
			g.Expect(le.Stage).To(Equal(tt.stage), "%v", err)
			if tt.sentinel != nil {
				g.Expect(err).To(MatchError(tt.sentinel))
			}
			if tt.aadErr {
				var afe *azidentity.AuthenticationFailedError
				g.Expect(errors.As(err, &afe)).To(BeTrue(), "%v", err)
			}
			// The fakes quote the assertion and the access token in their
			// error answers; the login error must not.
			for _, s := range []string{federatedJWT, f.AccessToken} {
				for _, form := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					g.Expect(form).NotTo(ContainSubstring(s))
				}
			}
		})
	}
}

func TestNewProviderInvalidOptions(t *testing.T) {
	for name, opt := range map[string]azure.Option{
		"nil lookup":     azure.WithLookupEnv(nil),
		"nil client":     azure.WithHTTPClient(nil),
		"http authority": azure.WithAuthorityHost("http://login.example"),
		"bad exchange":   azure.WithExchangeEndpoint("registry.example"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := azure.NewProvider(opt)
			NewWithT(t).Expect(err).To(MatchError(auth.ErrInvalidOption))
		})
	}
}
