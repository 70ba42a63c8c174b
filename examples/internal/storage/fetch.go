package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/oci/archive"
)

// Fetch downloads the artifact a from a.URL with c (nil means
// http.DefaultClient) and extracts it into dir with archive.Extract,
// verifying a.Digest while it unpacks: dir must be missing or empty, and
// receives the content only when the whole archive matched the digest and
// passed every safety check. ctx bounds the download and the extraction.
//
// Fetch returns an error wrapping ErrInvalidArtifact for an artifact without
// URL or with an unparsable digest, a *FetchError (ErrUnexpectedStatus) for an
// answer other than 200 OK, the client's error (with ctx's error in its chain
// when ctx ended), and the errors of archive.Extract: a
// *version.DigestMismatchError for content that does not match, an
// *archive.ExtractError for a hostile archive, archive.ErrTargetNotEmpty.
// Errors name the URL without user information, query or fragment.
func Fetch(ctx context.Context, c *http.Client, a meta.Artifact, dir string) error {
	if a.URL == "" {
		return fmt.Errorf("fetch artifact: no URL: %w", ErrInvalidArtifact)
	}
	d, err := digest.Parse(a.Digest)
	if err != nil {
		return fmt.Errorf("fetch artifact %s: digest %q: %w", redact(a.URL), a.Digest, ErrInvalidArtifact)
	}
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return fmt.Errorf("fetch artifact %s: %w", redact(a.URL), ErrInvalidArtifact)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("fetch artifact %s: %w", redact(a.URL), unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return &FetchError{URL: redact(a.URL), StatusCode: resp.StatusCode, Err: ErrUnexpectedStatus}
	}
	if _, err := archive.Extract(ctx, resp.Body, dir, archive.ExtractOptions{Digest: d}); err != nil {
		return fmt.Errorf("fetch artifact %s: %w", redact(a.URL), err)
	}
	return nil
}

// unwrapURLError drops the *url.Error around err, whose message would quote
// the URL with its credentials.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
