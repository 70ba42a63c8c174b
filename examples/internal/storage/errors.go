package storage

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidOption reports an unusable argument of New or an Option: an
	// empty or relative root, a base URL that is not absolute http(s), or a
	// retention below 1.
	ErrInvalidOption = errors.New("invalid storage option")

	// ErrInvalidObject reports an Object whose kind, namespace or name is
	// empty or cannot be a single path element ("..", a '/' or a NUL byte).
	ErrInvalidObject = errors.New("invalid object key")

	// ErrInvalidArtifact reports an artifact that Fetch cannot download: no
	// URL, or a digest that does not parse.
	ErrInvalidArtifact = errors.New("invalid artifact")

	// ErrUnexpectedStatus is in the chain of a *FetchError: the server
	// answered with a status other than 200 OK.
	ErrUnexpectedStatus = errors.New("unexpected response status")
)

// FetchError reports an artifact download the server refused.
type FetchError struct {
	// URL is the artifact URL without user information, query or fragment.
	URL string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Err is ErrUnexpectedStatus.
	Err error
}

// Error implements error.
func (e *FetchError) Error() string {
	return fmt.Sprintf("fetch artifact %s: status %d: %v", e.URL, e.StatusCode, e.Err)
}

// Unwrap returns Err.
func (e *FetchError) Unwrap() error { return e.Err }
