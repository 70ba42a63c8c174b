package gogit

import (
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/sluice-dev/sluice/git"
)

// ClientOption configures a Client built by NewClient.
type ClientOption func(*clientOptions)

type clientOptions struct {
	fileProtocol   bool
	proxyURL       string
	proxy          transport.ProxyOptions
	progress       func(git.Progress)
	progressWriter io.Writer
	multiACK       bool
}

// WithFileProtocol lets the client clone file:// URLs, which read the local
// file system with the client's privileges. The default refuses them with
// git.ErrUnsupportedScheme, as a URL from an untrusted object must not reach
// the controller's disk.
func WithFileProtocol() ClientOption {
	return func(o *clientOptions) { o.fileProtocol = true }
}

// WithProxy sends the client's traffic through a proxy: an "http://" or
// "https://" proxy (HTTP CONNECT for https:// remotes, absolute-form
// requests for http:// remotes) or a "socks5://" proxy, with optional
// credentials in the URL's user info ("http://user:pass@proxy:3128").
// HTTP(S) remotes take any of the three; SSH remotes only socks5://, which
// is all go-git's SSH transport can tunnel through; git:// and file:// remotes
// cannot use a proxy, and a client with a proxy refuses them with
// git.ErrUnsupportedScheme rather than bypass it. The proxy also carries the
// requests of submodules.
//
// The proxy password never appears in errors. NewClient returns a
// *git.URLError for a proxy URL it cannot use. Default: no explicit proxy;
// HTTP(S) remotes then follow HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the
// environment as net/http does (which never proxies loopback addresses),
// SSH remotes connect directly.
func WithProxy(proxyURL string) ClientOption {
	return func(o *clientOptions) { o.proxyURL = proxyURL }
}

// WithProgress calls fn with every progress report the server sends during
// fetches (see git.Progress), from the goroutine calling Clone, so that a
// command line tool can draw progress bars. Default: none, and the client
// asks the server not to send progress at all.
func WithProgress(fn func(git.Progress)) ClientOption {
	return func(o *clientOptions) { o.progress = fn }
}

// WithProgressWriter copies the server's progress text, as `git clone`
// prints it after "remote: ", to w. It combines with WithProgress. w is
// written from the goroutine calling Clone. Default: none.
func WithProgressWriter(w io.Writer) ClientOption {
	return func(o *clientOptions) { o.progressWriter = w }
}

// WithMultiACK makes the client ask for the multi_ack_detailed capability
// in its upload-pack requests over HTTP(S), which Azure DevOps and AWS
// CodeCommit demand (Azure DevOps answers 400 "TF401041 ... Clients must
// support multi-ack" without it). go-git drops that capability through a
// package-level list, transport.UnsupportedCapabilities, that this package
// never modifies; instead the client adds the capability to its own
// requests only, so other clients in the process are unaffected. It suits
// Sluice's clones, which start from an empty directory and send no "have"
// lines, so the server's answer is the same plain NAK go-git understands.
// SSH and git:// requests are not changed: go-git offers no per-call hook
// for them. Default: off.
func WithMultiACK() ClientOption {
	return func(o *clientOptions) { o.multiACK = true }
}

// validate checks the options and derives the go-git proxy options.
func (o *clientOptions) validate() error {
	if o.proxyURL == "" {
		return nil
	}
	u, err := url.Parse(o.proxyURL)
	if err != nil {
		return &git.URLError{URL: redactProxy(o.proxyURL), Err: git.ErrInvalidURL}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return &git.URLError{URL: u.Redacted(), Err: git.ErrUnsupportedScheme}
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return &git.URLError{URL: u.Redacted(), Err: git.ErrInvalidURL}
	}
	o.proxy = transport.ProxyOptions{URL: (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()}
	if u.User != nil {
		o.proxy.Username = u.User.Username()
		o.proxy.Password, _ = u.User.Password()
	}
	return nil
}

// redactProxy renders a proxy URL url.Parse refused without its user info.
func redactProxy(raw string) string {
	_, err := git.ParseURL(raw)
	var ue *git.URLError
	if errors.As(err, &ue) {
		return ue.URL
	}
	return fmt.Sprintf("<%d bytes>", len(raw))
}
