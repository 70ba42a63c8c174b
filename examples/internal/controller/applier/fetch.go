package applier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/version"
)

// fetchArtifact downloads artifact with hc and extracts it into dir, which
// must not exist, verifying its digest: on any error dir is left absent.
func fetchArtifact(ctx context.Context, hc *http.Client, artifact *meta.Artifact, dir string) error {
	where := redactURL(artifact.URL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, artifact.URL, nil)
	if err != nil {
		return fmt.Errorf("fetch artifact %s: %w", where, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("fetch artifact %s: %w", where, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch artifact %s: unexpected status %s", where, resp.Status)
	}
	if _, err := archive.Extract(ctx, resp.Body, dir, archive.ExtractOptions{Digest: digest.Digest(artifact.Digest)}); err != nil {
		return fmt.Errorf("extract artifact %s: %w", where, err)
	}
	return nil
}

// isDigestMismatch reports whether err says the artifact's content does not
// have the digest its source announced.
func isDigestMismatch(err error) bool {
	var derr *version.DigestMismatchError
	return errors.As(err, &derr)
}

// redactURL drops user information, query and fragment from raw, which
// may carry tokens.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid url>"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
