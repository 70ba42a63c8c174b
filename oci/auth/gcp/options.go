package gcp

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"

	"github.com/sluice-dev/sluice/oci/auth"
)

// Environment variables NewProvider reads for settings no option gives.
const (
	// EnvCredentials names a credential configuration file (for workload
	// identity federation, "type": "external_account"). When it is set the
	// provider uses it instead of the metadata server.
	EnvCredentials = "GOOGLE_APPLICATION_CREDENTIALS" //nolint:gosec // G101: the name of a variable, not a credential
	// EnvMetadataHost is the metadata server's host[:port], as Google's
	// client libraries read it.
	EnvMetadataHost = "GCE_METADATA_HOST"
)

// DefaultMetadataEndpoint is the GCE and GKE metadata server.
const DefaultMetadataEndpoint = "http://metadata.google.internal"

// Option configures a Provider created by NewProvider. Options win over
// environment variables.
type Option func(*options)

// options is the private state the Option functions fill in.
type options struct {
	metadataEndpoint string
	serviceAccount   string
	credentialsFile  string
	credentialsJSON  []byte
	httpClient       *http.Client
	httpClientSet    bool
	lookupEnv        func(string) (string, bool)
}

// WithMetadataEndpoint sets the base URL of the metadata server. Default:
// "http://" + GCE_METADATA_HOST, else DefaultMetadataEndpoint.
func WithMetadataEndpoint(endpoint string) Option {
	return func(o *options) { o.metadataEndpoint = endpoint }
}

// WithMetadataServiceAccount sets the service account whose token the
// metadata server hands out. Default: "default", the instance's or the
// Kubernetes service account's bound Google service account.
func WithMetadataServiceAccount(email string) Option {
	return func(o *options) { o.serviceAccount = email }
}

// WithCredentialsFile sets a credential configuration file for workload
// identity federation ("type": "external_account"), read at every login.
// Default: GOOGLE_APPLICATION_CREDENTIALS; without either, the metadata
// server is used.
func WithCredentialsFile(path string) Option {
	return func(o *options) { o.credentialsFile = path }
}

// WithCredentialsJSON sets the content of a credential configuration, for
// one held in a Secret. It wins over WithCredentialsFile. Default: none.
func WithCredentialsJSON(data []byte) Option {
	return func(o *options) { o.credentialsJSON = slices.Clone(data) }
}

// WithHTTPClient sets the HTTP client of every call. client must not be
// nil. Default: a client on http.DefaultTransport.
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
	if o.httpClient == nil {
		o.httpClient = &http.Client{}
	}
	if o.credentialsFile == "" {
		o.credentialsFile, _ = o.lookupEnv(EnvCredentials)
	}
	if o.metadataEndpoint == "" {
		if host, ok := o.lookupEnv(EnvMetadataHost); ok && host != "" {
			o.metadataEndpoint = "http://" + host
		} else {
			o.metadataEndpoint = DefaultMetadataEndpoint
		}
	}
	if u, err := url.Parse(o.metadataEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: metadata endpoint: not an http(s) URL", auth.ErrInvalidOption)
	}
	if o.serviceAccount == "" {
		o.serviceAccount = "default"
	}
	return nil
}

// defaultOptions are the options before any Option is applied.
func defaultOptions() *options {
	return &options{lookupEnv: os.LookupEnv}
}
