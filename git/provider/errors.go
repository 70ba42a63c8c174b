package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fluxcd/go-git-providers/gitprovider"
)

// Sentinel errors. Compare with errors.Is: the verbs return them inside an
// [*Error] naming the operation and the repository.
var (
	// ErrUnsupportedProvider is returned by [ParseKind] and [New] for a
	// provider kind this package does not know. Do not retry.
	ErrUnsupportedProvider = errors.New("unsupported git provider")

	// ErrUnsupported means the provider does not offer the feature asked
	// for (e.g. sub-groups on GitHub). Do not retry.
	ErrUnsupported = errors.New("not supported by the provider")

	// ErrInvalidOptions is returned by [New] and the verbs for a missing or
	// malformed argument. Do not retry.
	ErrInvalidOptions = errors.New("invalid options")

	// ErrInsecureHTTP is returned by [New] for an http:// base URL without
	// [WithInsecureHTTP]: the token would travel in clear text. Do not
	// retry.
	ErrInsecureHTTP = errors.New("token over plain http refused")

	// ErrNotFound means the owner (user, organization, group, project) or
	// the repository does not exist, or the token cannot see it.
	ErrNotFound = errors.New("not found")

	// ErrUnauthorized means the provider refused the token (HTTP 401 or
	// 403): it is wrong, expired, or lacks a scope. Do not retry with the
	// same token.
	ErrUnauthorized = errors.New("unauthorized")

	// ErrConflict means the provider refused a change because of the
	// current state, e.g. a deploy key whose public key is already used
	// under another title.
	ErrConflict = errors.New("conflict")
)

// Error reports a failed call to a provider. It unwraps to one of the
// sentinels above when the failure is classified, and always to the
// underlying cause. Its message never holds the token.
type Error struct {
	// Op is the operation, such as "ensure repository".
	Op string
	// Provider is the provider's kind.
	Provider Kind
	// Repository is "owner/name", or "" when the operation has none.
	Repository string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Repository == "" {
		return fmt.Sprintf("%s on %s: %v", e.Op, e.Provider, e.Err)
	}
	return fmt.Sprintf("%s %s on %s: %v", e.Op, e.Repository, e.Provider, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// classify maps an error of go-git-providers to our sentinels, keeping the
// original in the chain.
func classify(err error) error {
	var sentinel error
	var credErr *gitprovider.InvalidCredentialsError
	var httpErr *gitprovider.HTTPError
	var incorrectUser *gitprovider.ErrIncorrectUser
	switch {
	case errors.As(err, &credErr):
		sentinel = ErrUnauthorized
	case errors.Is(err, gitprovider.ErrNotFound), errors.Is(err, gitprovider.ErrGroupNotFound):
		sentinel = ErrNotFound
	case errors.Is(err, gitprovider.ErrNoProviderSupport):
		sentinel = ErrUnsupported
	case errors.As(err, &incorrectUser):
		sentinel = ErrInvalidOptions
	case errors.Is(err, gitprovider.ErrAlreadyExists):
		sentinel = ErrConflict
	case errors.Is(err, gitprovider.ErrInvalidArgument), errors.Is(err, gitprovider.ErrDomainUnsupported):
		sentinel = ErrInvalidOptions
	case errors.As(err, &httpErr) && httpErr.Response != nil:
		sentinel = statusSentinel(httpErr.Response.StatusCode)
	default:
		sentinel = statusFromMessage(err.Error())
	}
	if sentinel == nil {
		return err
	}
	return &classified{sentinel: sentinel, err: err}
}

func statusSentinel(code int) error {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	}
	return nil
}

// statusFromMessage classifies the errors of SDKs that go-git-providers
// passes through unmapped (the Bitbucket Server client reports the HTTP
// status in its message, Gitea's pull request client the server's).
func statusFromMessage(msg string) error {
	switch {
	case strings.Contains(msg, "401 Unauthorized"), strings.Contains(msg, "403 Forbidden"),
		strings.Contains(msg, "status code: 401"), strings.Contains(msg, "status code: 403"):
		return ErrUnauthorized
	case strings.Contains(msg, "404 Not Found"), strings.Contains(msg, "status code: 404"):
		return ErrNotFound
	case strings.Contains(msg, "already exists"):
		// Gitea's pull request client passes the server's 409 message on.
		return ErrConflict
	}
	return nil
}

// classified puts a sentinel in front of a provider's error.
type classified struct {
	sentinel error
	err      error
}

func (c *classified) Error() string { return c.sentinel.Error() + ": " + c.err.Error() }

func (c *classified) Unwrap() []error { return []error{c.sentinel, c.err} }

// redacted replaces an error whose message held a secret: it keeps the
// message with the secret hidden and our sentinels, and drops the original
// chain, which would show the secret again.
type redacted struct {
	msg       string
	sentinels []error
}

func (r *redacted) Error() string { return r.msg }

func (r *redacted) Unwrap() []error { return r.sentinels }

// redact returns err, or a copy without secret in its message.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	r := &redacted{msg: strings.ReplaceAll(err.Error(), secret, "[redacted]")}
	for _, s := range []error{ErrUnsupported, ErrInvalidOptions, ErrNotFound, ErrUnauthorized, ErrConflict} {
		if errors.Is(err, s) {
			r.sentinels = append(r.sentinels, s)
		}
	}
	return r
}
