package cloudtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Azure fakes Entra ID's v2 endpoints (OpenID configuration and token, for
// the client-credentials grant with a JWT client assertion) and an ACR
// registry's /oauth2/exchange, on two local TLS servers sharing
// httptest's certificate. Set its exported fields before the first request.
type Azure struct {
	// AAD is the Entra ID authority; pass its URL as the authority host.
	AAD *httptest.Server
	// ACR serves /oauth2/exchange; pass its URL as the exchange endpoint.
	ACR *httptest.Server

	// Tenant and ClientID are the only ones the token endpoint accepts.
	Tenant, ClientID string
	// AccessToken is the Entra ID token handed out, valid for an hour.
	AccessToken string
	// RefreshToken is what the exchange answers. Default: an unsigned JWT
	// whose "exp" is RefreshExpiry.
	RefreshToken string
	// RefreshExpiry is the "exp" of the default refresh token. Default:
	// three hours after the request.
	RefreshExpiry time.Time
	// TokenError, when set, makes the token endpoint answer 400 with this
	// OAuth error code; the description quotes the assertion received.
	TokenError string
	// ExchangeStatus, when set, makes the exchange answer this status with
	// an error quoting the access token received.
	ExchangeStatus int

	mu        sync.Mutex
	tokenReqs []AADTokenRequest
	exchanges []ACRExchange
	discovery int
}

// AADTokenRequest is one request to the token endpoint.
type AADTokenRequest struct {
	Tenant, ClientID, GrantType, AssertionType, Assertion string
	// Scope holds the requested scopes but the OpenID ones MSAL adds.
	Scope string
}

// ACRExchange is one request to /oauth2/exchange.
type ACRExchange struct {
	GrantType, Service, Tenant, AccessToken string
}

// NewAzure starts the fakes; Close stops them.
func NewAzure() *Azure {
	f := &Azure{Tenant: "72f988bf-0000-0000-0000-000000000000", ClientID: "11111111-2222-3333-4444-555555555555", AccessToken: "fake-aad-access-token"}
	f.AAD = httptest.NewTLSServer(http.HandlerFunc(f.serveAAD))
	f.ACR = httptest.NewTLSServer(http.HandlerFunc(f.serveACR))
	return f
}

// Close stops both servers.
func (f *Azure) Close() {
	f.AAD.Close()
	f.ACR.Close()
}

// Client returns an HTTP client trusting both servers.
func (f *Azure) Client() *http.Client { return f.AAD.Client() }

// TokenRequests returns the token requests received so far.
func (f *Azure) TokenRequests() []AADTokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]AADTokenRequest(nil), f.tokenReqs...)
}

// Exchanges returns the exchange requests received so far.
func (f *Azure) Exchanges() []ACRExchange {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ACRExchange(nil), f.exchanges...)
}

// InstanceDiscoveryCalls counts requests to /common/discovery/instance.
func (f *Azure) InstanceDiscoveryCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.discovery
}

// serveAAD answers OpenID configuration, instance discovery and token
// requests.
func (f *Azure) serveAAD(w http.ResponseWriter, r *http.Request) {
	base := f.AAD.URL
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/common/discovery/instance":
		f.mu.Lock()
		f.discovery++
		f.mu.Unlock()
		host := strings.TrimPrefix(base, "https://")
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": base + "/" + f.Tenant + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
		})
	case r.Method == http.MethodGet && len(parts) == 4 && parts[1] == "v2.0" && parts[2] == ".well-known" && parts[3] == "openid-configuration":
		tenant := parts[0]
		writeJSON(w, http.StatusOK, map[string]any{
			"token_endpoint":         base + "/" + tenant + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/" + tenant + "/oauth2/v2.0/authorize",
			"issuer":                 base + "/" + tenant + "/v2.0",
		})
	case r.Method == http.MethodPost && len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token":
		f.serveToken(w, r, parts[0])
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
	}
}

// serveToken answers the client-credentials grant with a client assertion.
func (f *Azure) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	req := AADTokenRequest{
		Tenant:        tenant,
		ClientID:      r.PostForm.Get("client_id"),
		Scope:         resourceScopes(r.PostForm.Get("scope")),
		GrantType:     r.PostForm.Get("grant_type"),
		AssertionType: r.PostForm.Get("client_assertion_type"),
		Assertion:     r.PostForm.Get("client_assertion"),
	}
	f.mu.Lock()
	f.tokenReqs = append(f.tokenReqs, req)
	f.mu.Unlock()
	switch {
	case f.TokenError != "":
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"error":             f.TokenError,
			"error_description": "AADSTS700213: no matching federated identity record for assertion " + req.Assertion,
			"error_codes":       []int{700213},
		})
	case req.GrantType != "client_credentials" || req.AssertionType != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || req.Assertion == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "client assertion required"})
	case tenant != f.Tenant || req.ClientID != f.ClientID:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unauthorized_client", "error_description": "unknown client or tenant"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type":     "Bearer",
			"expires_in":     3600,
			"ext_expires_in": 3600,
			"access_token":   f.AccessToken,
		})
	}
}

// resourceScopes drops the OpenID Connect scopes MSAL adds to every
// request.
func resourceScopes(scope string) string {
	var kept []string
	for _, s := range strings.Fields(scope) {
		switch s {
		case "openid", "offline_access", "profile":
		default:
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, " ")
}

// serveACR answers POST /oauth2/exchange.
func (f *Azure) serveACR(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/oauth2/exchange" || r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]string{{"code": "NOT_FOUND", "message": "not found"}}})
		return
	}
	ex := ACRExchange{
		GrantType:   r.PostForm.Get("grant_type"),
		Service:     r.PostForm.Get("service"),
		Tenant:      r.PostForm.Get("tenant"),
		AccessToken: r.PostForm.Get("access_token"),
	}
	f.mu.Lock()
	f.exchanges = append(f.exchanges, ex)
	f.mu.Unlock()
	switch {
	case f.ExchangeStatus != 0:
		writeJSON(w, f.ExchangeStatus, map[string]any{"errors": []map[string]string{{"code": "UNAUTHORIZED", "message": "token " + ex.AccessToken + " rejected"}}})
		return
	case ex.GrantType != "access_token" || ex.AccessToken != f.AccessToken || ex.Service == "":
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": []map[string]string{{"code": "UNAUTHORIZED", "message": "invalid access token"}}})
		return
	}
	refresh := f.RefreshToken
	if refresh == "" {
		exp := f.RefreshExpiry
		if exp.IsZero() {
			exp = time.Now().Add(3 * time.Hour)
		}
		refresh = UnsignedJWT(map[string]any{"aud": ex.Service, "exp": exp.Unix(), "grant_type": "refresh_token"})
	}
	writeJSON(w, http.StatusOK, map[string]string{"refresh_token": refresh})
}

// UnsignedJWT returns a JWT with claims and a dummy signature, for
// endpoints whose tokens clients only decode.
func UnsignedJWT(claims map[string]any) string {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	payload, _ := json.Marshal(claims)
	return header + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString([]byte("signature"))
}

// writeJSON writes v as a JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		_, _ = fmt.Fprint(w, "{}")
	}
}
