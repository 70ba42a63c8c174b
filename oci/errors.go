package oci

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Sentinel errors of the Client's verbs. Test with errors.Is; the message
// and the wrapped cause tell the details.
var (
	// ErrInvalidOption reports an invalid or conflicting option given to
	// New or to a verb. Retrying with the same options fails again.
	ErrInvalidOption = errors.New("invalid option")

	// ErrInvalidReference reports a reference that does not parse, or lacks
	// what the verb needs (a tag where one is required).
	ErrInvalidReference = errors.New("invalid reference")

	// ErrInsecureHTTP reports a request over plain HTTP while the Client does
	// not allow it (RFC-0004: insecure registries must be opted into with
	// WithInsecureHTTP). It is terminal.
	ErrInsecureHTTP = errors.New("plain HTTP is not allowed")

	// ErrUnauthorized reports a registry that refused the credentials, or
	// asked for some when there were none (HTTP 401 or 403).
	ErrUnauthorized = errors.New("unauthorized")

	// ErrNotFound reports a repository, tag, manifest or blob the registry
	// does not have (HTTP 404).
	ErrNotFound = errors.New("not found")

	// ErrNoMatchingLayer reports an artifact without a layer of an accepted
	// media type.
	ErrNoMatchingLayer = errors.New("no layer with an accepted media type")

	// ErrNoMatchingTag reports a semver range no tag of the repository
	// satisfies.
	ErrNoMatchingTag = errors.New("no tag matches")
)

// classify adds ErrUnauthorized or ErrNotFound in front of a registry
// error, keeping the original (a *transport.Error) in the chain.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrInsecureHTTP) {
		return err
	}
	var te *transport.Error
	if !errors.As(err, &te) {
		return err
	}
	switch te.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	case http.StatusNotFound:
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	for _, d := range te.Errors {
		switch d.Code {
		case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
			return fmt.Errorf("%w: %w", ErrUnauthorized, err)
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	return err
}

// asTransportError finds a registry error in err's chain.
func asTransportError(err error) (*transport.Error, bool) {
	var te *transport.Error
	ok := errors.As(err, &te)
	return te, ok
}
