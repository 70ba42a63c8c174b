package flags

import (
	"net/url"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// InsecureHTTPOptions is the policy on plain-HTTP endpoints: sources,
// registries and proxies must use HTTPS unless Allow says otherwise.
type InsecureHTTPOptions struct {
	// Allow permits plain-HTTP URLs and proxies. Default false.
	Allow bool
}

// BindFlags registers --insecure-allow-http on fs and sets the default.
func (o *InsecureHTTPOptions) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Allow, "insecure-allow-http", false, "allow plain-HTTP source, registry and proxy URLs")
}

// CheckURL returns an [*InsecureHTTPError] when u is an http:// URL and
// Allow is false, and an [*InvalidValueError] when u does not parse. Other
// schemes pass.
func (o InsecureHTTPOptions) CheckURL(u string) error {
	parsed, err := url.Parse(u)
	if err != nil {
		// url.Parse quotes the URL, which may hold credentials.
		return &InvalidValueError{Value: "<redacted>", Reason: "not a URL"}
	}
	if o.Allow || !strings.EqualFold(parsed.Scheme, "http") {
		return nil
	}
	return &InsecureHTTPError{URL: parsed.Redacted()}
}

// CheckProxyEnv returns an [*InsecureHTTPError] naming the first of
// HTTPS_PROXY, https_proxy, HTTP_PROXY and http_proxy, the variables Go's
// HTTP clients read, that holds a plain-HTTP proxy, when Allow is false. A
// proxy without a scheme counts as plain HTTP, as Go's HTTP client reads
// it. getenv reads the environment; nil means os.Getenv.
func (o InsecureHTTPOptions) CheckProxyEnv(getenv func(string) string) error {
	if o.Allow {
		return nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, name := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		value := getenv(name)
		if value == "" {
			continue
		}
		parsed, err := url.Parse(value)
		if err != nil || parsed.Scheme == "" || parsed.Host == "" {
			// Go's proxy lookup retries such values as http://value.
			if parsed, err = url.Parse("http://" + value); err != nil {
				return &InvalidValueError{Value: "<redacted>", Reason: name + " is not a proxy URL"}
			}
		}
		if strings.EqualFold(parsed.Scheme, "http") {
			return &InsecureHTTPError{URL: parsed.Redacted(), Source: name}
		}
	}
	return nil
}
