package gitea

import (
	"errors"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

var (
	// ErrGoNotFound is returned by [Binary] and [Start] when Gitea must be
	// built and no go command can be found.
	ErrGoNotFound = toolbuild.ErrGoNotFound

	// ErrModuleDownload is returned by [Binary] and [Start] when the Go
	// module proxy cannot be reached or refuses a module Gitea needs.
	ErrModuleDownload = toolbuild.ErrModuleDownload

	// ErrBuildFailed is returned by [Binary] and [Start] when building
	// Gitea fails.
	ErrBuildFailed = toolbuild.ErrBuildFailed

	// ErrInvalidOption is returned by [Start] for an invalid option.
	ErrInvalidOption = errors.New("invalid option")

	// ErrStartFailed is returned by [Start] when a Gitea command that sets
	// the server up fails, or the server exits or does not answer before
	// ctx ends.
	ErrStartFailed = errors.New("gitea start failed")
)

// BuildError describes a failed step while building Gitea from source. It
// unwraps to [ErrGoNotFound], [ErrModuleDownload] or [ErrBuildFailed] and
// carries the tail of the build log.
type BuildError = toolbuild.BuildError
