package git

import (
	"errors"
	"fmt"
)

// Sentinel errors. Compare with errors.Is: they arrive wrapped in the typed
// errors below, with the operation that failed.
var (
	// ErrInvalidURL is in the chain of a *URLError for a URL that cannot be
	// parsed or lacks a host or path.
	ErrInvalidURL = errors.New("invalid repository URL")
	// ErrUnsupportedScheme is in the chain of a *URLError for a transport the
	// client refuses: "ext::", "file://" unless enabled, or an unknown
	// scheme. Do not retry.
	ErrUnsupportedScheme = errors.New("unsupported URL scheme")
	// ErrInsecureHTTP means credentials would go over plain http:// while
	// AuthOptions.AllowInsecureHTTP is false. Do not retry.
	ErrInsecureHTTP = errors.New("credentials over plain http refused")
	// ErrInvalidAuth is in the chain of an *AuthError: the Secret's data is
	// missing a key, has conflicting keys or a value that cannot be parsed.
	ErrInvalidAuth = errors.New("invalid authentication options")
	// ErrInvalidHash is returned by ParseHash and RevisionHash for a string
	// or revision that is not a SHA-1 or SHA-256 object id in lowercase hex.
	ErrInvalidHash = errors.New("invalid object id")
	// ErrRepositoryNotFound means the server has no such repository (or
	// hides it from these credentials).
	ErrRepositoryNotFound = errors.New("repository not found")
	// ErrReferenceNotFound means the branch, tag, reference or commit asked
	// for does not exist, or no tag matches the semver range.
	ErrReferenceNotFound = errors.New("reference not found")
	// ErrAuthenticationFailed means the server refused the credentials, or
	// asked for some and none were given.
	ErrAuthenticationFailed = errors.New("authentication failed")
	// ErrUnknownHost is in the chain of a *HostKeyError: the SSH server is not
	// in known_hosts. Do not retry.
	ErrUnknownHost = errors.New("ssh host not in known_hosts")
	// ErrHostKeyMismatch is in the chain of a *HostKeyError: the SSH server
	// presented a key other than the one known_hosts lists for it. Do not
	// retry: it may be an attack.
	ErrHostKeyMismatch = errors.New("ssh host key mismatch")
	// ErrTargetNotEmpty means the clone directory exists and is not empty.
	ErrTargetNotEmpty = errors.New("target directory not empty")
	// ErrUnreachable means the server could not be reached (connection
	// refused, no route, DNS failure). Retrying later may help.
	ErrUnreachable = errors.New("server unreachable")
	// ErrNoChange is in the chain of a *NoChangeError: the remote reference
	// still points at CloneOptions.LastObservedCommit, so nothing was
	// cloned.
	ErrNoChange = errors.New("no change since last observed commit")
)

// URLError reports a repository URL the client cannot use.
type URLError struct {
	// URL is the URL with any password redacted.
	URL string
	// Err is ErrInvalidURL or ErrUnsupportedScheme.
	Err error
}

// Error implements error.
func (e *URLError) Error() string { return fmt.Sprintf("parse URL %q: %v", e.URL, e.Err) }

// Unwrap returns the sentinel.
func (e *URLError) Unwrap() error { return e.Err }

// AuthError reports authentication options that cannot work. It names the
// Secret key at fault, never its value.
type AuthError struct {
	// Key is the Secret data key at fault, such as "identity" or "tls.key".
	Key string
	// Reason says what is wrong, without any secret value.
	Reason string
	// Err is ErrInvalidAuth or ErrInsecureHTTP, sometimes joined with a parse
	// error that holds no secret value.
	Err error
}

// Error implements error.
func (e *AuthError) Error() string {
	return fmt.Sprintf("auth option %s: %s: %v", e.Key, e.Reason, e.Err)
}

// Unwrap returns the sentinel.
func (e *AuthError) Unwrap() error { return e.Err }

// HostKeyError reports an SSH server whose host key known_hosts does not
// vouch for. Do not retry.
type HostKeyError struct {
	// Host is the host and port the client dialled.
	Host string
	// Err is ErrUnknownHost or ErrHostKeyMismatch, joined with the
	// knownhosts error.
	Err error
}

// Error implements error.
func (e *HostKeyError) Error() string {
	return fmt.Sprintf("check host key of %s: %v", e.Host, e.Err)
}

// Unwrap returns the sentinel and the cause.
func (e *HostKeyError) Unwrap() error { return e.Err }

// OpError reports a failed operation against a remote repository.
type OpError struct {
	// Op is the operation, such as "clone" or "ls-remote".
	Op string
	// URL is the repository URL with any password redacted.
	URL string
	// Kind is one of the sentinels of this package, the context's error
	// (context.Canceled, context.DeadlineExceeded) when ctx ended the
	// operation, or nil when the failure fits none of them.
	Kind error
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *OpError) Error() string {
	if e.Kind != nil && !errors.Is(e.Err, e.Kind) {
		return fmt.Sprintf("%s %s: %v: %v", e.Op, e.URL, e.Kind, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Op, e.URL, e.Err)
}

// Unwrap returns the sentinel (when there is one) and the underlying error.
func (e *OpError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// NoChangeError is returned, with a non-nil Commit, when the remote
// reference still points at CloneOptions.LastObservedCommit: nothing was
// fetched and the target directory is untouched. It is not a failure.
type NoChangeError struct {
	// Commit holds the hash and reference observed on the remote; its
	// author, committer and message are empty, as nothing was fetched.
	Commit *Commit
}

// Error implements error.
func (e *NoChangeError) Error() string {
	return fmt.Sprintf("%v: %s", ErrNoChange, e.Commit.Revision())
}

// Unwrap returns ErrNoChange.
func (e *NoChangeError) Unwrap() error { return ErrNoChange }
