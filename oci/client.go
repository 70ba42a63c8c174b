package oci

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sluice-dev/sluice/version/buildinfo"
)

// Media types and annotation keys of the artifacts a Client pushes and
// pulls.
const (
	// FluxConfigMediaType is the config media type of Flux artifacts.
	FluxConfigMediaType = "application/vnd.cncf.flux.config.v1+json"
	// FluxContentMediaType is the layer media type of Flux artifacts: a
	// gzip-compressed tar archive.
	FluxContentMediaType = "application/vnd.cncf.flux.content.v1.tar+gzip"
	// HelmConfigMediaType is the config media type of Helm charts stored as
	// OCI artifacts.
	HelmConfigMediaType = "application/vnd.cncf.helm.config.v1+json"
	// HelmChartContentMediaType is the layer media type of a Helm chart
	// archive.
	HelmChartContentMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	// OCILayerMediaType is the OCI image layer media type, gzip-compressed.
	OCILayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
	// DockerLayerMediaType is the Docker image layer media type.
	DockerLayerMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"

	// AnnotationSource is the OCI annotation naming the source of an
	// artifact, such as a Git repository URL.
	AnnotationSource = "org.opencontainers.image.source"
	// AnnotationRevision is the OCI annotation naming the source revision,
	// such as "main@sha1:<hex>".
	AnnotationRevision = "org.opencontainers.image.revision"
	// AnnotationCreated is the OCI annotation holding the creation time in
	// RFC 3339 form.
	AnnotationCreated = "org.opencontainers.image.created"
)

// DefaultLayerMediaTypes are the layer media types Pull accepts when
// PullOptions.MediaTypes is empty, in order of preference.
func DefaultLayerMediaTypes() []string {
	return []string{FluxContentMediaType, HelmChartContentMediaType, OCILayerMediaType, DockerLayerMediaType}
}

// Client pushes, pulls and manages OCI artifacts in registries. Make one
// with New and share it: its methods are safe for concurrent use, and it
// holds no per-call state.
type Client struct {
	auth      authn.Authenticator
	keychain  authn.Keychain
	userAgent string
	insecure  bool
	retry     RetryPolicy
	transport http.RoundTripper
}

// New returns a Client configured by opts; see the With functions for the
// defaults. It returns an error wrapping ErrInvalidOption for conflicting
// or invalid options.
func New(opts ...Option) (*Client, error) {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("new oci client: %w", err)
	}
	rt, err := newTransport(o)
	if err != nil {
		return nil, fmt.Errorf("new oci client: %w", err)
	}
	c := &Client{
		auth:      o.auth,
		keychain:  o.keychain,
		userAgent: o.userAgent,
		insecure:  o.insecure,
		retry:     o.retry,
		transport: rt,
	}
	if c.userAgent == "" {
		c.userAgent = buildinfo.UserAgent("sluice-oci")
	}
	if c.auth == nil && c.keychain == nil {
		c.auth = authn.Anonymous
	}
	return c, nil
}

// parseRef parses an image reference ("host/repo:tag", "host/repo@sha256:…",
// an "oci://" prefix allowed).
func (c *Client) parseRef(ref string) (name.Reference, error) {
	r, err := name.ParseReference(strings.TrimPrefix(ref, "oci://"), c.nameOptions()...)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrInvalidReference, ref, err)
	}
	return r, nil
}

// parseRepo parses a repository ("host/repo", an "oci://" prefix allowed).
func (c *Client) parseRepo(repo string) (name.Repository, error) {
	r, err := name.NewRepository(strings.TrimPrefix(repo, "oci://"), c.nameOptions()...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("%w %q: %w", ErrInvalidReference, repo, err)
	}
	return r, nil
}

// remoteOptions returns the go-containerregistry options of one call.
// Retries of single requests happen in the Client's transport; the ones of
// whole blob uploads (whose streamed bodies cannot be replayed) in
// go-containerregistry with the same policy.
func (c *Client) remoteOptions(ctx context.Context) []remote.Option {
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(c.transport),
		remote.WithUserAgent(c.userAgent),
		remote.WithRetryStatusCodes(),
		remote.WithRetryPredicate(retryableError),
		remote.WithRetryBackoff(remote.Backoff{
			Duration: c.retry.MinBackoff,
			Factor:   2,
			Steps:    c.retry.Attempts,
			Cap:      c.retry.MaxBackoff,
		}),
	}
	if c.keychain != nil {
		return append(opts, remote.WithAuthFromKeychain(c.keychain))
	}
	return append(opts, remote.WithAuth(c.auth))
}

// retryableError reports a registry error worth retrying a whole upload
// for: HTTP 429 or 5xx.
func retryableError(err error) bool {
	if err == nil {
		return false
	}
	te, ok := asTransportError(err)
	if !ok {
		return false
	}
	return te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500 && te.StatusCode != http.StatusNotImplemented
}

// authenticatedTransport returns a round tripper that authenticates to
// repo's registry with the given scope, for requests the Client makes
// itself.
func (c *Client) authenticatedTransport(ctx context.Context, repo name.Repository, scope string) (http.RoundTripper, error) {
	auth := c.auth
	if c.keychain != nil {
		var err error
		if auth, err = authn.Resolve(ctx, c.keychain, repo); err != nil {
			return nil, fmt.Errorf("resolve credentials for %s: %w", repo.RegistryStr(), err)
		}
	}
	rt := transport.NewUserAgent(c.transport, c.userAgent)
	return transport.NewWithContext(ctx, repo.Registry, auth, rt, []string{repo.Scope(scope)})
}
