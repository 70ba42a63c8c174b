package testenv

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrGoNotFound is returned by [Assets] when the control-plane binaries
	// must be built and no go command can be found.
	ErrGoNotFound = errors.New("go command not found: install Go 1.26 or set KUBEBUILDER_ASSETS")

	// ErrModuleDownload is returned by [Assets] when the Go module proxy
	// cannot be reached or refuses a module the build needs.
	ErrModuleDownload = errors.New("module download failed: is the Go module proxy (GOPROXY) reachable?")

	// ErrBuildFailed is returned by [Assets] when go build fails.
	ErrBuildFailed = errors.New("build failed")

	// ErrAssetsMissing is returned by [Assets] when KUBEBUILDER_ASSETS (or
	// AssetsOptions.Dir) names a directory that lacks kube-apiserver or etcd.
	ErrAssetsMissing = errors.New("control-plane binaries missing")
)

// BuildError describes a failed step while building a control-plane binary
// from source. It unwraps to [ErrGoNotFound], [ErrModuleDownload] or
// [ErrBuildFailed].
type BuildError struct {
	// Binary is the binary being built, "etcd" or "kube-apiserver".
	Binary string
	// Step is the go command that failed, such as "go mod tidy".
	Step string
	// LogTail holds the last lines the failed command printed.
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
