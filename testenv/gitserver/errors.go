package gitserver

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Compare with errors.Is: verbs wrap them with the operation
// that failed.
var (
	// ErrGitNotFound means the git CLI, a prerequisite of this package, is not
	// installed or not executable. New returns it; do not retry.
	ErrGitNotFound = errors.New("git CLI not found in PATH")

	// ErrClosed is returned by the Start methods and the fixture helpers once
	// Close has been called.
	ErrClosed = errors.New("server closed")

	// ErrInvalidOption means an Option or a per-call options struct holds a
	// value that cannot work, such as an empty bearer token.
	ErrInvalidOption = errors.New("invalid option")

	// ErrOutsideRoot means a repository path or a file path escapes the
	// directory it must stay in ("../x", an absolute path, an empty path).
	// Fixture helpers return it, and Request.Err holds it when a client asked
	// for such a repository.
	ErrOutsideRoot = errors.New("path escapes its root")

	// ErrUnauthenticated is the Request.Err of a request whose credentials
	// were missing or wrong.
	ErrUnauthenticated = errors.New("authentication failed")

	// ErrReadOnly is the Request.Err of a push refused because the server was
	// created WithReadOnly.
	ErrReadOnly = errors.New("server is read-only")

	// ErrUnsupportedCommand is the Request.Err of an SSH request that was
	// not git-upload-pack or git-receive-pack with one repository argument,
	// or of a git:// request for another service.
	ErrUnsupportedCommand = errors.New("unsupported command")
)

// GitError reports a git CLI command that failed. Its Unwrap returns the
// process error, usually an *exec.ExitError.
type GitError struct {
	// Args are the arguments given to git.
	Args []string
	// Stderr is what git wrote on its standard error, trimmed.
	Stderr string
	// Err is the error returned by the process.
	Err error
}

// Error implements error.
func (e *GitError) Error() string {
	msg := fmt.Sprintf("git %s: %v", strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// Unwrap returns the process error.
func (e *GitError) Unwrap() error { return e.Err }
