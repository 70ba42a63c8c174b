package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/fluxcd/go-git-providers/gitea"
	"github.com/fluxcd/go-git-providers/github"
	"github.com/fluxcd/go-git-providers/gitlab"
	"github.com/fluxcd/go-git-providers/gitprovider"
	"github.com/fluxcd/go-git-providers/stash"
	"github.com/go-logr/logr"
)

// Client manages repositories, deploy keys and pull requests on one
// provider with one token. Create it with [New]. It is safe for concurrent
// use; it holds no state besides its configuration and the providers' HTTP
// clients.
type Client struct {
	kind  Kind
	gp    gitprovider.Client
	token string
	// domain is what the provider's references are checked against.
	domain string
}

// New returns a client for the provider kind at baseURL, authenticating
// with token.
//
// baseURL is the provider's web address: "https://github.example.com" for
// GitHub Enterprise Server (the API is under /api/v3), the GitLab or Gitea
// root URL (may hold a path such as "https://example.com/gitlab"), or the
// Bitbucket Server root URL. A bare host ("git.example.com") means https.
// Default for "": github.com, gitlab.com or gitea.com; Bitbucket Server has
// no default.
//
// New returns an error wrapping [ErrUnsupportedProvider] for an unknown
// kind, [ErrInsecureHTTP] for an http:// URL without [WithInsecureHTTP],
// [ErrUnsupported] for http:// on GitHub, and [ErrInvalidOptions] for an
// empty token, a malformed URL, or Bitbucket Server without a URL or
// [WithUsername]. Only Gitea's client does I/O here: it reads the server's
// version (GET /api/v1/version), bounded by ctx, and New returns an
// [*Error] when that fails ([ErrUnauthorized], or the network error).
func New(ctx context.Context, kind Kind, baseURL, token string, opts ...Option) (*Client, error) {
	o := &options{logger: logr.Discard()}
	for _, opt := range opts {
		opt(o)
	}
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, fmt.Errorf("new provider client: %w", err)
	}
	if token == "" {
		return nil, fmt.Errorf("new %s client: %w: empty token", kind, ErrInvalidOptions)
	}
	u, err := parseBaseURL(kind, baseURL, o.allowInsecureHTTP)
	if err != nil {
		return nil, fmt.Errorf("new %s client: %w", kind, err)
	}
	// Gitea's SDK reads the server version while New runs, with a request
	// that carries no context: bound it by ctx, and only while New runs.
	probe := &probeContext{}
	probe.set(ctx)
	defer probe.clear()
	common := []gitprovider.ClientOption{
		gitprovider.WithDestructiveAPICalls(true), // deploy key rotation deletes the old key
		gitprovider.WithLogger(&o.logger),
		gitprovider.WithPreChainTransportHook(probe.transport),
	}
	if len(o.caPEM) > 0 {
		common = append(common, gitprovider.WithCustomCAPostChainTransportHook(o.caPEM))
	}

	var gp gitprovider.Client
	switch kind {
	case KindGitHub:
		if u.Scheme != "https" {
			return nil, fmt.Errorf("new github client: %w: the GitHub client speaks https only", ErrUnsupported)
		}
		if u.Path != "" {
			return nil, fmt.Errorf("new github client: %w: base URL %q has a path", ErrInvalidOptions, baseURL)
		}
		domain := u.Host
		if strings.EqualFold(domain, "api.github.com") || strings.EqualFold(domain, "www.github.com") {
			domain = github.DefaultDomain
		}
		gp, err = github.NewClient(append(common, gitprovider.WithDomain(domain), gitprovider.WithOAuth2Token(token))...)
	case KindGitLab:
		tokenType := ""
		if o.gitlabOAuth2 {
			tokenType = "oauth2"
		}
		domain := u.String()
		if u.Scheme == "https" && u.Path == "" && strings.EqualFold(u.Host, gitlab.DefaultDomain) {
			domain = gitlab.DefaultDomain
		}
		gp, err = gitlab.NewClient(token, tokenType, append(common, gitprovider.WithDomain(domain))...)
	case KindGitea:
		gp, err = gitea.NewClient(token, append(common, gitprovider.WithDomain(u.String()))...)
	case KindBitbucketServer:
		if o.username == "" {
			return nil, fmt.Errorf("new bitbucket-server client: %w: WithUsername is required", ErrInvalidOptions)
		}
		gp, err = stash.NewStashClient(o.username, token, append(common, gitprovider.WithDomain(u.String()))...)
	}
	if err != nil {
		err = classify(err)
		if sentinel := statusSentinel(int(probe.status.Load())); sentinel != nil && !errors.Is(err, sentinel) {
			err = &classified{sentinel: sentinel, err: err}
		}
		return nil, &Error{Op: "new client", Provider: kind, Err: redact(err, token)}
	}
	domain := gp.SupportedDomain()
	if kind == KindBitbucketServer {
		// The Bitbucket Server client checks references against the URL it
		// was given, not against the host SupportedDomain reports.
		domain = u.String()
	}
	return &Client{kind: kind, gp: gp, token: token, domain: domain}, nil
}

// parseBaseURL checks baseURL and fills in the defaults.
func parseBaseURL(kind Kind, baseURL string, allowHTTP bool) (*url.URL, error) {
	if baseURL == "" {
		switch kind {
		case KindGitHub:
			baseURL = "https://" + github.DefaultDomain
		case KindGitLab:
			baseURL = "https://" + gitlab.DefaultDomain
		case KindGitea:
			baseURL = "https://" + gitea.DefaultDomain
		default:
			return nil, fmt.Errorf("%w: a base URL is required", ErrInvalidOptions)
		}
	}
	if !strings.Contains(baseURL, "://") {
		baseURL = "https://" + baseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: base URL: %w", ErrInvalidOptions, err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("%w: base URL %q has no host", ErrInvalidOptions, baseURL)
	case u.User != nil:
		return nil, fmt.Errorf("%w: base URL must not hold credentials", ErrInvalidOptions)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%w: base URL %q has a query or fragment", ErrInvalidOptions, baseURL)
	case u.Scheme == "http" && !allowHTTP:
		return nil, fmt.Errorf("%w: %s (use WithInsecureHTTP for a test server)", ErrInsecureHTTP, u.Redacted())
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: base URL scheme %q: want https", ErrInvalidOptions, u.Scheme)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// Kind returns the client's provider kind.
func (c *Client) Kind() Kind { return c.kind }

// Raw returns the provider SDK's client go-git-providers wraps
// (*github.Client of google/go-github, *gitlab.Client, *gitea.Client or
// *stash.Client), for calls this package does not cover.
func (c *Client) Raw() any { return c.gp.Raw() }

// fail wraps err for op on repo, classified and without the token.
func (c *Client) fail(op string, ref RepositoryRef, err error) error {
	repo := ""
	if ref.Name != "" {
		repo = ref.Owner + "/" + ref.Name
	}
	return &Error{Op: op, Provider: c.kind, Repository: repo, Err: redact(classify(err), c.token)}
}

// invalid returns an ErrInvalidOptions error for op.
func (c *Client) invalid(op string, ref RepositoryRef, format string, args ...any) error {
	return c.fail(op, ref, fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, args...)))
}

// owner resolves ref.Owner, asking the provider for the token's user when
// a personal repository has no owner.
func (c *Client) owner(ctx context.Context, ref RepositoryRef) (string, error) {
	if ref.Owner != "" || !ref.Personal {
		return ref.Owner, nil
	}
	id, err := c.gp.UserRepositories().GetUserLogin(ctx)
	if err != nil {
		return "", err
	}
	return id.GetIdentity(), nil
}

// userRef and orgRef build go-git-providers references.
func (c *Client) userRef(ref RepositoryRef) gitprovider.UserRepositoryRef {
	return gitprovider.UserRepositoryRef{
		UserRef:        gitprovider.UserRef{Domain: c.domain, UserLogin: ref.Owner},
		RepositoryName: ref.Name,
	}
}

func (c *Client) orgRef(ref RepositoryRef) gitprovider.OrgRepositoryRef {
	parts := strings.Split(ref.Owner, "/")
	org := gitprovider.OrganizationRef{
		Domain:           c.domain,
		Organization:     parts[0],
		SubOrganizations: parts[1:],
	}
	// Bitbucket Server addresses projects by key.
	org.SetKey(ref.Owner)
	return gitprovider.OrgRepositoryRef{OrganizationRef: org, RepositoryName: ref.Name}
}

// getRepository fetches an existing repository.
func (c *Client) getRepository(ctx context.Context, ref RepositoryRef) (gitprovider.UserRepository, error) {
	if ref.Personal {
		return c.gp.UserRepositories().Get(ctx, c.userRef(ref))
	}
	return c.gp.OrgRepositories().Get(ctx, c.orgRef(ref))
}

// validRef checks the fields every verb needs.
func validRef(ref RepositoryRef) error {
	if ref.Name == "" || strings.ContainsAny(ref.Name, "/ \t\r\n") {
		return fmt.Errorf("%w: repository name %q", ErrInvalidOptions, ref.Name)
	}
	if ref.Owner == "" && !ref.Personal {
		return fmt.Errorf("%w: an organization repository needs an owner", ErrInvalidOptions)
	}
	if strings.HasPrefix(ref.Owner, "/") || strings.HasSuffix(ref.Owner, "/") || strings.Contains(ref.Owner, "//") {
		return fmt.Errorf("%w: owner %q", ErrInvalidOptions, ref.Owner)
	}
	if ref.Personal && strings.Contains(ref.Owner, "/") {
		return fmt.Errorf("%w: user name %q", ErrInvalidOptions, ref.Owner)
	}
	return nil
}

// isNotFound reports whether a provider error means "does not exist".
func isNotFound(err error) bool {
	return errors.Is(classify(err), ErrNotFound)
}

// probeContext applies a context to requests made without one, while it
// is set.
type probeContext struct {
	ctx atomic.Pointer[context.Context]
	// status is the HTTP status of the last response seen while set.
	status atomic.Int32
}

func (p *probeContext) set(ctx context.Context) { p.ctx.Store(&ctx) }

func (p *probeContext) clear() { p.ctx.Store(nil) }

func (p *probeContext) transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		ctx := p.ctx.Load()
		if ctx == nil {
			return next.RoundTrip(req)
		}
		if req.Context() == context.Background() {
			req = req.WithContext(*ctx)
		}
		resp, err := next.RoundTrip(req)
		if err == nil {
			p.status.Store(int32(resp.StatusCode)) //nolint:gosec // HTTP status codes fit an int32
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
