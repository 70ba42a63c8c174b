package cosign

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

var (
	// ErrGoNotFound is returned by [Binary] and [New] when cosign must be
	// built and no go command can be found.
	ErrGoNotFound = toolbuild.ErrGoNotFound

	// ErrModuleDownload is returned by [Binary] and [New] when the Go
	// module proxy cannot be reached or refuses a module cosign needs.
	ErrModuleDownload = toolbuild.ErrModuleDownload

	// ErrBuildFailed is returned by [Binary] and [New] when building cosign
	// fails.
	ErrBuildFailed = toolbuild.ErrBuildFailed

	// ErrCommandFailed is returned, inside a [*CommandError], when a cosign
	// command exits with an error.
	ErrCommandFailed = errors.New("cosign command failed")
)

// BuildError describes a failed step while building cosign from source. It
// unwraps to [ErrGoNotFound], [ErrModuleDownload] or [ErrBuildFailed] and
// carries the tail of the build log.
type BuildError = toolbuild.BuildError

// CommandError describes a cosign command that failed. It unwraps to
// [ErrCommandFailed] and the process error, or to the context's error when
// ctx ended the command. It never holds a password: credentials reach
// cosign through its environment and a temporary DOCKER_CONFIG, not its
// arguments.
type CommandError struct {
	// Args are cosign's arguments, without the binary's path.
	Args []string
	// Output is the tail of what cosign printed on standard error and
	// standard output.
	Output string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *CommandError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cosign %s: %v", strings.Join(e.Args, " "), e.Err)
	if e.Output != "" {
		b.WriteString("\n--- cosign output ---\n")
		b.WriteString(e.Output)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *CommandError) Unwrap() error { return e.Err }
