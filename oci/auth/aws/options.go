package aws

import (
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/sluice-dev/sluice/oci/auth"
)

// Environment variables NewProvider reads for settings no option gives.
const (
	// EnvRoleARN names the IAM role to assume (EKS IRSA sets it).
	EnvRoleARN = "AWS_ROLE_ARN"
	// EnvWebIdentityTokenFile names the file holding the workload's OIDC
	// token (EKS IRSA sets it).
	EnvWebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE" //nolint:gosec // G101: the name of a variable, not a credential
	// EnvRoleSessionName names the STS role session.
	EnvRoleSessionName = "AWS_ROLE_SESSION_NAME"
	// EnvRegion is the default region.
	EnvRegion = "AWS_REGION"
	// EnvDefaultRegion is the fallback of EnvRegion.
	EnvDefaultRegion = "AWS_DEFAULT_REGION"
)

// DefaultRoleSessionName is the STS role session name when neither
// WithRoleSessionName nor AWS_ROLE_SESSION_NAME gives one.
const DefaultRoleSessionName = "sluice-oci"

// Option configures a Provider created by NewProvider. Options win over
// environment variables.
type Option func(*options)

// options is the private state the Option functions fill in.
type options struct {
	region        string
	roleARN       string
	tokenFile     string
	sessionName   string
	stsEndpoint   string
	ecrEndpoint   string
	httpClient    *http.Client
	httpClientSet bool
	defaultChain  bool
	lookupEnv     func(string) (string, bool)
}

// WithRegion sets the region for STS, and for ECR when the registry host
// does not name one (a host routed to AWS with auth.WithHost). The region
// in an ECR host always wins for the ECR call. Default: AWS_REGION, else
// AWS_DEFAULT_REGION, else the ECR host's region.
func WithRegion(region string) Option {
	return func(o *options) { o.region = region }
}

// WithRoleARN sets the IAM role assumed with the web identity token.
// Default: AWS_ROLE_ARN.
func WithRoleARN(arn string) Option {
	return func(o *options) { o.roleARN = arn }
}

// WithWebIdentityTokenFile sets the file holding the workload's OIDC token,
// read again at every login (Kubernetes rotates projected tokens). Default:
// AWS_WEB_IDENTITY_TOKEN_FILE.
func WithWebIdentityTokenFile(path string) Option {
	return func(o *options) { o.tokenFile = path }
}

// WithRoleSessionName sets the STS role session name, which shows in
// CloudTrail. Default: AWS_ROLE_SESSION_NAME, else DefaultRoleSessionName.
func WithRoleSessionName(name string) Option {
	return func(o *options) { o.sessionName = name }
}

// WithSTSEndpoint sets the base URL of the STS API (such as a VPC endpoint,
// or a local server in tests). Default: the SDK's regional endpoint,
// https://sts.<region>.amazonaws.com.
func WithSTSEndpoint(endpoint string) Option {
	return func(o *options) { o.stsEndpoint = endpoint }
}

// WithECREndpoint sets the base URL of the ECR API. Default: the SDK's
// endpoint for the registry's region, https://api.ecr.<region>.amazonaws.com
// (the FIPS endpoint for an "ecr-fips" host).
func WithECREndpoint(endpoint string) Option {
	return func(o *options) { o.ecrEndpoint = endpoint }
}

// WithDefaultCredentialChain makes the provider take its AWS credentials
// from the SDK's default chain (config.LoadDefaultConfig: environment keys,
// shared config and credentials files, web identity, EKS Pod Identity, ECS
// and EC2 instance roles) instead of assuming WithRoleARN with
// WithWebIdentityTokenFile itself. The chain reads the process's
// environment directly, not WithLookupEnv. Default: off, the provider does
// the web identity exchange itself and needs a role ARN and token file.
func WithDefaultCredentialChain() Option {
	return func(o *options) { o.defaultChain = true }
}

// WithHTTPClient sets the HTTP client of the STS and ECR calls. client must
// not be nil. Default: the SDK's client.
func WithHTTPClient(client *http.Client) Option {
	return func(o *options) {
		o.httpClient = client
		o.httpClientSet = true
	}
}

// WithLookupEnv sets how NewProvider reads environment variables, for tests
// and for controllers that keep settings elsewhere. lookup must not be nil.
// Default: os.LookupEnv.
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
	for name, ep := range map[string]string{"WithSTSEndpoint": o.stsEndpoint, "WithECREndpoint": o.ecrEndpoint} {
		if ep == "" {
			continue
		}
		if u, err := url.Parse(ep); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: %s: not an http(s) URL", auth.ErrInvalidOption, name)
		}
	}
	env := func(dst *string, names ...string) {
		for _, n := range names {
			if *dst != "" {
				return
			}
			if v, ok := o.lookupEnv(n); ok {
				*dst = v
			}
		}
	}
	env(&o.region, EnvRegion, EnvDefaultRegion)
	env(&o.roleARN, EnvRoleARN)
	env(&o.tokenFile, EnvWebIdentityTokenFile)
	env(&o.sessionName, EnvRoleSessionName)
	if o.sessionName == "" {
		o.sessionName = DefaultRoleSessionName
	}
	return nil
}

// defaultOptions are the options before any Option is applied.
func defaultOptions() *options {
	return &options{lookupEnv: os.LookupEnv}
}
