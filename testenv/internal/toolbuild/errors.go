package toolbuild

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrGoNotFound is returned when a tool must be built and no go command
	// can be found.
	ErrGoNotFound = errors.New("go command not found: install Go 1.26")

	// ErrModuleDownload is returned when the Go module proxy cannot be
	// reached or refuses a module the build needs.
	ErrModuleDownload = errors.New("module download failed: is the Go module proxy (GOPROXY) reachable?")

	// ErrBuildFailed is returned when a build command fails.
	ErrBuildFailed = errors.New("build failed")
)

// BuildError describes a failed step while building a tool from source. It
// unwraps to [ErrGoNotFound], [ErrModuleDownload] or [ErrBuildFailed].
type BuildError struct {
	// Binary is the binary being built, such as "cosign" or "gitea".
	Binary string
	// Step is the command that failed, such as "go install".
	Step string
	// LogTail holds the last lines the failed command printed, and the path
	// of the full log.
	LogTail string
	// Err is the cause.
	Err error
}

// Error implements error. It includes the tail of the build log.
func (e *BuildError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "build %s: %s: %v", e.Binary, e.Step, e.Err)
	if e.LogTail != "" {
		b.WriteString("\n--- last lines of the build log ---\n")
		b.WriteString(e.LogTail)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *BuildError) Unwrap() error { return e.Err }
