package gcp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/internal/oauth"
)

// Username is the registry user name of Google registry credentials: the
// password is an OAuth 2.0 access token.
const Username = "oauth2accesstoken"

// Scope is the OAuth scope of the access tokens the provider asks for.
const Scope = "https://www.googleapis.com/auth/cloud-platform"

// Token exchange constants of RFC 8693 as Google's STS uses them.
const (
	grantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange" //nolint:gosec // G101: a protocol constant
	tokenTypeAccessToken   = "urn:ietf:params:oauth:token-type:access_token"   //nolint:gosec // G101: a protocol constant
	defaultSTSEndpoint     = "https://sts.googleapis.com/v1/token"
)

// Provider logs in to Google Artifact Registry and Container Registry with
// an OAuth access token, from the metadata server (GCE, GKE Workload
// Identity) or, when a credential configuration is given, by workload
// identity federation: the workload's OIDC token is exchanged at Google
// STS (RFC 8693), then optionally for a service account's token with IAM
// Credentials generateAccessToken. It implements auth.Provider and is safe
// for concurrent use. Create it with NewProvider.
type Provider struct {
	o options
}

// NewProvider returns a Provider configured by opts, then by the
// environment variables named by the Env constants. It returns an error
// wrapping auth.ErrInvalidOption for an invalid option.
func NewProvider(opts ...Option) (*Provider, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(o)
	}
	if err := o.resolve(); err != nil {
		return nil, fmt.Errorf("new gcp provider: %w", err)
	}
	return &Provider{o: *o}, nil
}

// Cloud returns auth.CloudGCP.
func (p *Provider) Cloud() auth.Cloud { return auth.CloudGCP }

// ID returns "gcp:" and the credential configuration's path (or "json"
// for WithCredentialsJSON), or "gcp:metadata/" and the service account.
func (p *Provider) ID() string {
	switch {
	case p.o.credentialsJSON != nil:
		return "gcp:json"
	case p.o.credentialsFile != "":
		return "gcp:" + p.o.credentialsFile
	default:
		return "gcp:metadata/" + p.o.serviceAccount
	}
}

// Login returns credentials for registry: user Username and an access
// token, valid for about an hour.
//
// Errors are *auth.LoginError values: Stage auth.StageConfigure wrapping
// auth.ErrNotConfigured for an unreadable or unsupported credential
// configuration; auth.StageReadToken when the subject token cannot be read;
// auth.StageIdentity for a failed metadata or STS request and
// auth.StageImpersonate for a failed generateAccessToken (both wrapping
// auth.ErrUnexpectedResponse for an error answer). No token appears in the
// error's message.
func (p *Provider) Login(ctx context.Context, registry string) (auth.Credential, error) {
	if p.o.credentialsJSON == nil && p.o.credentialsFile == "" {
		return p.fromMetadata(ctx, registry)
	}
	return p.fromFederation(ctx, registry)
}

// tokenAnswer is the OAuth token answer of the metadata server and STS.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// credential turns a token answer into a registry credential.
func (a tokenAnswer) credential(now time.Time) (auth.Credential, error) {
	if a.AccessToken == "" {
		return auth.Credential{}, fmt.Errorf("%w: answer without access_token", auth.ErrUnexpectedResponse)
	}
	var expires time.Time
	if a.ExpiresIn > 0 {
		expires = now.Add(time.Duration(a.ExpiresIn) * time.Second)
	}
	return auth.Credential{Username: Username, Password: a.AccessToken, ExpiresAt: expires}, nil
}

// fromMetadata asks the metadata server for the service account's token.
func (p *Provider) fromMetadata(ctx context.Context, registry string) (auth.Credential, error) {
	endpoint := strings.TrimSuffix(p.o.metadataEndpoint, "/") +
		"/computeMetadata/v1/instance/service-accounts/" + url.PathEscape(p.o.serviceAccount) + "/token"
	now := time.Now()
	var ans tokenAnswer
	err := oauth.Get(ctx, p.o.httpClient, endpoint, http.Header{"Metadata-Flavor": {"Google"}}, &ans)
	if err == nil {
		var cred auth.Credential
		if cred, err = ans.credential(now); err == nil {
			return cred, nil
		}
	}
	return auth.Credential{}, auth.NewLoginError("gcp", registry, auth.StageIdentity, err, ans.AccessToken)
}

// externalAccount is a credential configuration file for workload identity
// federation.
type externalAccount struct {
	Type                           string `json:"type"`
	Audience                       string `json:"audience"`
	SubjectTokenType               string `json:"subject_token_type"`
	TokenURL                       string `json:"token_url"`
	ServiceAccountImpersonationURL string `json:"service_account_impersonation_url"`
	ServiceAccountImpersonation    struct {
		TokenLifetimeSeconds int64 `json:"token_lifetime_seconds"`
	} `json:"service_account_impersonation"`
	CredentialSource struct {
		File          string            `json:"file"`
		URL           string            `json:"url"`
		Headers       map[string]string `json:"headers"`
		EnvironmentID string            `json:"environment_id"`
		Executable    json.RawMessage   `json:"executable"`
		Format        struct {
			Type                  string `json:"type"`
			SubjectTokenFieldName string `json:"subject_token_field_name"`
		} `json:"format"`
	} `json:"credential_source"`
}

// loadConfig reads and checks the credential configuration.
func (p *Provider) loadConfig() (*externalAccount, error) {
	data := p.o.credentialsJSON
	if data == nil {
		var err error
		if data, err = os.ReadFile(p.o.credentialsFile); err != nil {
			return nil, fmt.Errorf("%w: read credential configuration: %w", auth.ErrNotConfigured, err)
		}
	}
	var cfg externalAccount
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%w: credential configuration is not valid JSON", auth.ErrNotConfigured)
	}
	src := cfg.CredentialSource
	switch {
	case cfg.Type != "external_account":
		return nil, fmt.Errorf("%w: credential type %q is not supported, only \"external_account\"", auth.ErrNotConfigured, cfg.Type)
	case cfg.Audience == "" || cfg.SubjectTokenType == "":
		return nil, fmt.Errorf("%w: credential configuration lacks audience or subject_token_type", auth.ErrNotConfigured)
	case src.EnvironmentID != "" || len(src.Executable) > 0:
		return nil, fmt.Errorf("%w: only file and url credential sources are supported", auth.ErrNotConfigured)
	case (src.File == "") == (src.URL == ""):
		return nil, fmt.Errorf("%w: credential_source needs exactly one of file and url", auth.ErrNotConfigured)
	case src.Format.Type != "" && src.Format.Type != "text" && src.Format.Type != "json":
		return nil, fmt.Errorf("%w: credential_source format %q is not text or json", auth.ErrNotConfigured, src.Format.Type)
	case src.Format.Type == "json" && src.Format.SubjectTokenFieldName == "":
		return nil, fmt.Errorf("%w: json credential_source format lacks subject_token_field_name", auth.ErrNotConfigured)
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = defaultSTSEndpoint
	}
	return &cfg, nil
}

// subjectToken reads the workload's token from the credential source.
func (p *Provider) subjectToken(ctx context.Context, cfg *externalAccount) (string, error) {
	src := cfg.CredentialSource
	var raw []byte
	if src.File != "" {
		var err error
		if raw, err = os.ReadFile(src.File); err != nil {
			return "", err
		}
	} else {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
		if err != nil {
			return "", err
		}
		for k, v := range src.Headers {
			req.Header.Set(k, v)
		}
		var body json.RawMessage
		if src.Format.Type == "json" {
			err = oauth.Do(p.o.httpClient, req, nil, &body)
			raw = body
		} else {
			raw, err = oauth.DoRaw(p.o.httpClient, req)
		}
		if err != nil {
			return "", err
		}
	}
	token := strings.TrimSpace(string(raw))
	if src.Format.Type == "json" {
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			return "", fmt.Errorf("%w: subject token source is not JSON", auth.ErrNotConfigured)
		}
		s, _ := fields[src.Format.SubjectTokenFieldName].(string)
		token = strings.TrimSpace(s)
	}
	if token == "" {
		return "", fmt.Errorf("%w: subject token is empty", auth.ErrNotConfigured)
	}
	return token, nil
}

// impersonationAnswer is the JSON of generateAccessToken.
type impersonationAnswer struct {
	AccessToken string    `json:"accessToken"`
	ExpireTime  time.Time `json:"expireTime"`
}

// fromFederation exchanges the workload's token at Google STS and, when
// configured, impersonates a service account.
func (p *Provider) fromFederation(ctx context.Context, registry string) (auth.Credential, error) {
	fail := func(stage string, err error, secrets ...string) (auth.Credential, error) {
		return auth.Credential{}, auth.NewLoginError("gcp", registry, stage, err, secrets...)
	}
	cfg, err := p.loadConfig()
	if err != nil {
		return fail(auth.StageConfigure, err)
	}
	subject, err := p.subjectToken(ctx, cfg)
	if err != nil {
		return fail(auth.StageReadToken, err)
	}
	form := url.Values{
		"grant_type":           {grantTypeTokenExchange},
		"audience":             {cfg.Audience},
		"scope":                {Scope},
		"requested_token_type": {tokenTypeAccessToken},
		"subject_token":        {subject},
		"subject_token_type":   {cfg.SubjectTokenType},
	}
	now := time.Now()
	var sts tokenAnswer
	if err := oauth.PostForm(ctx, p.o.httpClient, cfg.TokenURL, form, nil, &sts); err != nil {
		return fail(auth.StageIdentity, err, subject)
	}
	cred, err := sts.credential(now)
	if err != nil {
		return fail(auth.StageIdentity, err, subject, sts.AccessToken)
	}
	if cfg.ServiceAccountImpersonationURL == "" {
		return cred, nil
	}

	lifetime := cfg.ServiceAccountImpersonation.TokenLifetimeSeconds
	if lifetime <= 0 {
		lifetime = 3600
	}
	body := map[string]any{"scope": []string{Scope}, "lifetime": fmt.Sprintf("%ds", lifetime)}
	var imp impersonationAnswer
	err = oauth.PostJSON(ctx, p.o.httpClient, cfg.ServiceAccountImpersonationURL, body,
		http.Header{"Authorization": {"Bearer " + sts.AccessToken}}, &imp)
	if err == nil && imp.AccessToken == "" {
		err = fmt.Errorf("%w: generateAccessToken answer without accessToken", auth.ErrUnexpectedResponse)
	}
	if err != nil {
		return fail(auth.StageImpersonate, err, subject, sts.AccessToken, imp.AccessToken)
	}
	return auth.Credential{Username: Username, Password: imp.AccessToken, ExpiresAt: imp.ExpireTime}, nil
}
