package gitea

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

// DefaultVersion is the Gitea release [Binary] builds when
// BuildOptions.Version is empty.
const DefaultVersion = "v1.26.0"

// binaryName is the executable's name inside the cache folder.
const binaryName = "gitea"

// runtimeDirs are the source folders a Gitea built without the bindata tag
// reads at run time; the cache folder keeps a copy beside the binary and
// servers point STATIC_ROOT_PATH at it.
var runtimeDirs = []string{"options", "templates", "public"}

var versionPattern = regexp.MustCompile(`^v1\.\d+\.\d+$`)

// BuildOptions configures how [Binary] finds or builds Gitea. The zero
// value builds [DefaultVersion] into the per-user cache.
type BuildOptions struct {
	// Version is the code.gitea.io/gitea release to build, such as
	// "v1.26.0". Default [DefaultVersion].
	Version string

	// CacheDir is the parent of the cache folder ("gitea-<version>").
	// Default: $XDG_CACHE_HOME/sluice/testenv (os.UserCacheDir), beside
	// testenv's control-plane binaries.
	CacheDir string

	// GoCommand is the go command used to build. Default "go" from PATH.
	GoCommand string

	// Env is appended to the go command's environment, after the settings
	// the build needs (GOWORK=off, GOFLAGS=-mod=mod, CGO_ENABLED=1). Use it
	// to point GOPROXY or GOMODCACHE elsewhere. Default: none.
	Env []string

	// Progress receives progress lines while Gitea is built or while
	// waiting for another process that builds it. Default os.Stderr; use
	// io.Discard to silence it.
	Progress io.Writer
}

// Binary returns the path of a Gitea server binary, building it first if
// the cache lacks it. The build copies the module's source from the Go
// module proxy into a temporary folder and runs
//
//	CGO_ENABLED=1 go build -tags 'sqlite sqlite_unlock_notify' \
//	  -ldflags '-s -w -X "main.Version=1.26.0"'
//
// (the version is set because Gitea's Go SDK refuses a server reporting
// "development"); the binary's folder also holds Gitea's options, templates
// and public folders, which a server reads at run time. A cold build takes
// about 7 minutes on 2 cores and needs a C compiler; a cached binary
// returns at once.
//
// Several processes may call Binary at the same time: one builds under a
// file lock, into a temporary folder renamed into place when complete; the
// others wait for the lock and reuse its result. Waiting and building stop
// when ctx is done.
//
// Binary returns an error for an invalid BuildOptions.Version, and a
// [*BuildError] that unwraps to [ErrGoNotFound], [ErrModuleDownload] or
// [ErrBuildFailed] when the build fails.
func Binary(ctx context.Context, opts BuildOptions) (string, error) {
	spec, err := buildSpec(opts)
	if err != nil {
		return "", err
	}
	dir, err := toolbuild.Provision(ctx, spec)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, binaryName), nil
}

func buildSpec(opts BuildOptions) (toolbuild.Spec, error) {
	version := opts.Version
	if version == "" {
		version = DefaultVersion
	}
	if !versionPattern.MatchString(version) {
		return toolbuild.Spec{}, fmt.Errorf("gitea version %q: want a release such as %s", version, DefaultVersion)
	}
	return toolbuild.Spec{
		Name:      "gitea-" + version,
		Describe:  "gitea " + version,
		Estimate:  "about 7 minutes on 2 cores",
		Binaries:  []string{binaryName},
		Files:     runtimeDirs,
		CacheDir:  opts.CacheDir,
		GoCommand: opts.GoCommand,
		Env:       opts.Env,
		Progress:  opts.Progress,
		Build: func(ctx context.Context, b *toolbuild.Builder) error {
			done := b.Step("building gitea " + version)
			err := build(ctx, b, version)
			done(err)
			return err
		},
	}, nil
}

func build(ctx context.Context, b *toolbuild.Builder, version string) error {
	const module = "code.gitea.io/gitea"
	js, err := b.Go(ctx, binaryName, "go mod download", b.Out, nil, "mod", "download", "-json", module+"@"+version)
	if err != nil {
		return err
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(js, &info); err != nil || info.Dir == "" {
		return &toolbuild.BuildError{Binary: binaryName, Step: "go mod download",
			Err: fmt.Errorf("%w: no source folder for %s in %q", toolbuild.ErrBuildFailed, module, js)}
	}
	// The module cache is read-only; build from a writable copy.
	work, err := os.MkdirTemp(filepath.Dir(b.Out), ".gitea-src-")
	if err != nil {
		return fmt.Errorf("build gitea: %w", err)
	}
	defer func() { _ = os.RemoveAll(work) }()
	src := filepath.Join(work, "src")
	if err := copyTree(info.Dir, src); err != nil {
		return fmt.Errorf("build gitea: copy source: %w", err)
	}
	ldflags := fmt.Sprintf(`-s -w -X "main.Version=%s"`, strings.TrimPrefix(version, "v"))
	if _, err := b.Go(ctx, binaryName, "go build", src, []string{"CGO_ENABLED=1"},
		"build", "-trimpath", "-tags", "sqlite sqlite_unlock_notify", "-ldflags", ldflags,
		"-o", filepath.Join(b.Out, binaryName), "."); err != nil {
		return err
	}
	for _, d := range runtimeDirs {
		if err := copyTree(filepath.Join(src, d), filepath.Join(b.Out, d)); err != nil {
			return fmt.Errorf("build gitea: copy %s: %w", d, err)
		}
	}
	return nil
}

// copyTree copies the regular files and folders under src to dst, making
// them writable by the owner (module cache files are read-only).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755) //nolint:gosec // a source tree others may read
		case d.Type().IsRegular():
			return copyFile(path, target)
		default:
			return nil // module zips hold no symlinks or devices
		}
	})
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src) //nolint:gosec // a file of the module cache
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644) //nolint:gosec // a source file others may read
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = io.Copy(out, in)
	return err
}
