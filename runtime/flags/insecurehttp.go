package flags

import (
	"net/url"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sluice-dev/sluice/runtime/events"
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

// Validate checks the process environment against the policy, as the other
// option structs' Validate methods check their flags: it returns
// [InsecureHTTPOptions.CheckProxyEnv] of os.Getenv, an [*InsecureHTTPError]
// when Allow is false and HTTPS_PROXY, https_proxy, HTTP_PROXY or
// http_proxy holds a plain-HTTP proxy, and an [*InvalidValueError] when one
// of them is not a proxy URL. Call it once at start-up, after parsing the
// flags and before any client reads the environment.
func (o InsecureHTTPOptions) Validate() error {
	return o.CheckProxyEnv(os.Getenv)
}

// EventsOptions returns the options of events.NewRecorder that carry the
// policy: events.WithInsecureHTTP when Allow is true, so that a plain
// http:// webhook address is accepted, and none otherwise, so that
// NewRecorder refuses one with events.ErrInsecureAddress. The proxies the
// recorder's HTTP client uses come from the environment that
// [InsecureHTTPOptions.Validate] checks.
func (o InsecureHTTPOptions) EventsOptions() []events.Option {
	if o.Allow {
		return []events.Option{events.WithInsecureHTTP()}
	}
	return nil
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
