package aws

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sluice-dev/sluice/oci/auth"
)

// Username is the registry user name of ECR credentials.
const Username = "AWS"

// Provider logs in to Amazon ECR with a web identity: it reads the
// workload's OIDC token file, assumes an IAM role with STS
// AssumeRoleWithWebIdentity and asks ECR GetAuthorizationToken for a
// registry password. It implements auth.Provider and is safe for
// concurrent use. Create it with NewProvider.
type Provider struct {
	o options
}

// NewProvider returns a Provider configured by opts, then by the
// environment variables named by the Env constants. Missing settings are
// not an error here: Login reports them, so a controller may build every
// cloud's provider and use only the one its registries need. It returns an
// error wrapping auth.ErrInvalidOption for an invalid option.
func NewProvider(opts ...Option) (*Provider, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(o)
	}
	if err := o.resolve(); err != nil {
		return nil, fmt.Errorf("new aws provider: %w", err)
	}
	return &Provider{o: *o}, nil
}

// Cloud returns auth.CloudAWS.
func (p *Provider) Cloud() auth.Cloud { return auth.CloudAWS }

// ID returns "aws:" and the role ARN, or "aws:default-chain" with
// WithDefaultCredentialChain.
func (p *Provider) ID() string {
	if p.o.defaultChain {
		return "aws:default-chain"
	}
	return "aws:" + p.o.roleARN
}

// Login returns ECR credentials for registry: user "AWS" and the password
// of the authorization token, valid for 12 hours. The ECR call goes to the
// region named by the host, else to the configured region.
//
// Errors are *auth.LoginError values: Stage auth.StageConfigure wrapping
// auth.ErrNotConfigured (no role ARN, token file or region) or
// auth.ErrUnsupportedRegistry; auth.StageReadToken for an unreadable or
// empty token file; auth.StageIdentity for a failed STS call;
// auth.StageRegistryToken for a failed ECR call or an answer without a
// usable token (wrapping auth.ErrUnexpectedResponse). With
// WithDefaultCredentialChain, a chain that cannot load gives
// auth.StageConfigure and one that finds no credentials
// auth.StageIdentity. SDK errors
// (smithy.APIError) stay in the chain. No token or key appears in the
// error's message.
func (p *Provider) Login(ctx context.Context, registry string) (auth.Credential, error) {
	fail := func(stage string, err error, secrets ...string) (auth.Credential, error) {
		return auth.Credential{}, auth.NewLoginError("aws", registry, stage, err, secrets...)
	}
	_, region, isECR := auth.ParseECRHost(registry)
	fips := strings.Contains(strings.ToLower(registry), ".dkr.ecr-fips.")
	stsRegion := p.o.region
	if !isECR {
		region = p.o.region
	}
	if stsRegion == "" {
		stsRegion = region
	}
	if region == "" {
		return fail(auth.StageConfigure, fmt.Errorf("%w: not an ECR host and no region set (%s)", auth.ErrUnsupportedRegistry, EnvRegion))
	}
	var creds awssdk.Credentials
	var secrets []string
	if p.o.defaultChain {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(stsRegion), config.WithHTTPClient(p.httpClient()))
		if err != nil {
			return fail(auth.StageConfigure, fmt.Errorf("%w: %w", auth.ErrNotConfigured, err))
		}
		if cfg.Credentials == nil {
			return fail(auth.StageConfigure, fmt.Errorf("%w: the default credential chain found no credentials", auth.ErrNotConfigured))
		}
		if creds, err = cfg.Credentials.Retrieve(ctx); err != nil {
			return fail(auth.StageIdentity, err)
		}
		secrets = []string{creds.SecretAccessKey, creds.SessionToken}
	} else {
		c, s, failed, err := p.assumeRole(ctx, stsRegion)
		if err != nil {
			return fail(failed, err, s...)
		}
		creds, secrets = c, s
	}
	return p.authorizationToken(ctx, registry, region, fips, creds, secrets)
}

// assumeRole reads the web identity token and assumes the role with it. On
// failure it returns the stage that failed and the secrets to redact.
func (p *Provider) assumeRole(ctx context.Context, stsRegion string) (awssdk.Credentials, []string, string, error) {
	switch {
	case p.o.roleARN == "":
		return awssdk.Credentials{}, nil, auth.StageConfigure, fmt.Errorf("%w: no role ARN (%s)", auth.ErrNotConfigured, EnvRoleARN)
	case p.o.tokenFile == "":
		return awssdk.Credentials{}, nil, auth.StageConfigure, fmt.Errorf("%w: no web identity token file (%s)", auth.ErrNotConfigured, EnvWebIdentityTokenFile)
	}

	raw, err := os.ReadFile(p.o.tokenFile)
	if err != nil {
		return awssdk.Credentials{}, nil, auth.StageReadToken, err
	}
	token := strings.TrimSpace(string(raw))
	if token == "" {
		return awssdk.Credentials{}, []string{string(raw)}, auth.StageReadToken, fmt.Errorf("%w: web identity token file %s is empty", auth.ErrNotConfigured, p.o.tokenFile)
	}

	stsClient := sts.New(sts.Options{Region: stsRegion, HTTPClient: p.httpClient(), BaseEndpoint: optional(p.o.stsEndpoint)})
	assumed, err := stsClient.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          &p.o.roleARN,
		RoleSessionName:  &p.o.sessionName,
		WebIdentityToken: &token,
	})
	if err != nil {
		return awssdk.Credentials{}, []string{token}, auth.StageIdentity, err
	}
	c := assumed.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil {
		return awssdk.Credentials{}, []string{token}, auth.StageIdentity, fmt.Errorf("%w: STS answer without credentials", auth.ErrUnexpectedResponse)
	}
	creds := awssdk.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
	return creds, []string{token, creds.SecretAccessKey, creds.SessionToken}, "", nil
}

// authorizationToken asks ECR in region for an authorization token with
// creds and decodes it.
func (p *Provider) authorizationToken(ctx context.Context, registry, region string, fips bool, creds awssdk.Credentials, secrets []string) (auth.Credential, error) {
	fail := func(stage string, err error, secrets ...string) (auth.Credential, error) {
		return auth.Credential{}, auth.NewLoginError("aws", registry, stage, err, secrets...)
	}
	ecrClient := ecr.New(ecr.Options{
		Region:       region,
		HTTPClient:   p.httpClient(),
		BaseEndpoint: optional(p.o.ecrEndpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
	}, func(eo *ecr.Options) {
		if fips {
			eo.EndpointOptions.UseFIPSEndpoint = awssdk.FIPSEndpointStateEnabled
		}
	})
	out, err := ecrClient.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return fail(auth.StageRegistryToken, err, secrets...)
	}
	if len(out.AuthorizationData) == 0 || out.AuthorizationData[0].AuthorizationToken == nil {
		return fail(auth.StageRegistryToken, fmt.Errorf("%w: ECR answer without authorization data", auth.ErrUnexpectedResponse), secrets...)
	}
	data := out.AuthorizationData[0]
	encoded := *data.AuthorizationToken
	secrets = append(secrets, encoded)
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return fail(auth.StageRegistryToken, fmt.Errorf("%w: authorization token is not base64", auth.ErrUnexpectedResponse), secrets...)
	}
	user, password, ok := strings.Cut(string(decoded), ":")
	if !ok || user == "" || password == "" {
		return fail(auth.StageRegistryToken, fmt.Errorf("%w: authorization token is not user:password", auth.ErrUnexpectedResponse), append(secrets, string(decoded))...)
	}
	var expires time.Time
	if data.ExpiresAt != nil {
		expires = *data.ExpiresAt
	}
	return auth.Credential{Username: user, Password: password, ExpiresAt: expires}, nil
}

// httpClient returns the configured client, or nil for the SDK's default.
func (p *Provider) httpClient() sts.HTTPClient {
	if p.o.httpClient == nil {
		return nil
	}
	return p.o.httpClient
}

// optional turns "" into nil.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
