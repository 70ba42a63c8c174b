package testenv

import (
	"errors"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

var (
	// ErrGoNotFound is returned by [Assets] when the control-plane binaries
	// must be built and no go command can be found. Set KUBEBUILDER_ASSETS
	// to use binaries built elsewhere. testenv/cosign and testenv/gitea
	// return the same error.
	ErrGoNotFound = toolbuild.ErrGoNotFound

	// ErrModuleDownload is returned by [Assets] when the Go module proxy
	// cannot be reached or refuses a module the build needs.
	ErrModuleDownload = toolbuild.ErrModuleDownload

	// ErrBuildFailed is returned by [Assets] when go build fails.
	ErrBuildFailed = toolbuild.ErrBuildFailed

	// ErrAssetsMissing is returned by [Assets] when KUBEBUILDER_ASSETS (or
	// AssetsOptions.Dir) names a directory that lacks kube-apiserver or etcd.
	ErrAssetsMissing = errors.New("control-plane binaries missing")
)

// BuildError describes a failed step while building a binary from source,
// such as "kube-apiserver", "etcd", "cosign" or "gitea". It unwraps to
// [ErrGoNotFound], [ErrModuleDownload] or [ErrBuildFailed], and its message
// ends with the last lines of the build log.
type BuildError = toolbuild.BuildError
