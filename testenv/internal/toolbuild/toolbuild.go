package toolbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// logTailLines is how many lines of a failed command's output a BuildError
// carries.
const logTailLines = 25

// downloadFailureMarks are fragments of go command output that mean a module
// could not be fetched, as opposed to code that does not compile.
var downloadFailureMarks = []string{
	"dial tcp", "no such host", "connection refused", "i/o timeout",
	"proxyconnect", "TLS handshake timeout", "403 Forbidden", "404 Not Found",
	"410 Gone", "unrecognized import path", "reading https://", "module lookup disabled",
	"unknown revision", "invalid version",
}

// Spec describes one cached tool build for [Provision].
type Spec struct {
	// Name is the cache folder's name under CacheDir, such as
	// "cosign-v3.1.3". Required; it must be a single path element.
	Name string

	// Describe names what is built in progress lines, such as
	// "cosign v3.1.3". Default: Name.
	Describe string

	// Estimate tells a waiting user how long a cold build takes, such as
	// "about 4 minutes on 2 cores". Default: none.
	Estimate string

	// Binaries are paths, relative to the folder, of the executables a
	// complete build holds. Required.
	Binaries []string

	// Files are further paths (files or folders), relative to the folder,
	// that a complete build holds. Default: none.
	Files []string

	// CacheDir is the parent of the tool's folder. Default
	// [DefaultCacheDir].
	CacheDir string

	// GoCommand is the go command used to build. Default "go" from PATH.
	GoCommand string

	// Env is appended to every go command's environment after the settings
	// the build needs (GOWORK=off, GOFLAGS=-mod=mod). Default: none.
	Env []string

	// Progress receives progress lines. Default os.Stderr.
	Progress io.Writer

	// Terminal reports whether Progress is a terminal, where lines are
	// redrawn with the elapsed time. Default [IsTerminal].
	Terminal func(io.Writer) bool

	// Check reports, as an error, why a folder does not hold a complete
	// build, or nil when it does. Provision runs it on the cache folder and
	// on a finished build. Default [Spec.Complete].
	Check func(dir string) error

	// Build writes the binaries and files into b.Out. Required.
	Build func(ctx context.Context, b *Builder) error
}

// DefaultCacheDir returns the per-user cache folder testenv builds into:
// $XDG_CACHE_HOME/sluice/testenv (os.UserCacheDir), the folder
// testenv.Assets uses too.
func DefaultCacheDir() (string, error) {
	userCache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache folder: %w", err)
	}
	return filepath.Join(userCache, "sluice", "testenv"), nil
}

// Dir returns the folder [Provision] fills for spec, without building.
func (s *Spec) Dir() (string, error) {
	if s.Name == "" || s.Name != filepath.Base(s.Name) || strings.HasPrefix(s.Name, ".") {
		return "", fmt.Errorf("tool folder name %q: want a single path element", s.Name)
	}
	cacheDir := s.CacheDir
	if cacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return "", err
		}
		cacheDir = d
	}
	return filepath.Join(cacheDir, s.Name), nil
}

// Complete reports, as an error, whether dir holds every binary and file
// of spec.
func (s *Spec) Complete(dir string) error {
	for _, name := range s.Binaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("%s is not an executable file", name)
		}
	}
	for _, name := range s.Files {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// Provision returns the cache folder of spec, building it first when it is
// missing or incomplete. One caller builds, under the file lock
// <folder>.lock, into a temporary sibling folder renamed into place when
// complete; others wait for the lock, showing how long they have waited,
// and reuse the result. Waiting and building stop when ctx is done.
//
// Failed go commands return a [*BuildError]; a build that succeeds without
// producing every binary and file of spec returns an error wrapping
// [ErrBuildFailed] and the error of Spec.Check.
func Provision(ctx context.Context, spec Spec) (string, error) {
	if spec.Build == nil || len(spec.Binaries) == 0 {
		return "", errors.New("provision tool: spec needs Build and Binaries")
	}
	dir, err := spec.Dir()
	if err != nil {
		return "", err
	}
	check := spec.Check
	if check == nil {
		check = spec.Complete
	}
	if check(dir) == nil {
		return dir, nil
	}
	describe := spec.Describe
	if describe == "" {
		describe = spec.Name
	}
	w := spec.Progress
	if w == nil {
		w = os.Stderr
	}
	isTerminal := spec.Terminal
	if isTerminal == nil {
		isTerminal = IsTerminal
	}
	prog := NewProgress(w, isTerminal(w))

	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return "", fmt.Errorf("create cache folder: %w", err)
	}
	lock := flock.New(dir + ".lock")
	ready, err := lockOrWait(ctx, lock, prog, describe, dir, check)
	if err != nil {
		return "", err
	}
	defer func() { _ = lock.Unlock() }()
	if ready {
		return dir, nil
	}

	// An incomplete folder was not made by a build (builds only rename
	// complete folders into place): clear it so the rename can succeed.
	if _, err := os.Stat(dir); err == nil {
		if err := os.RemoveAll(dir); err != nil {
			return "", fmt.Errorf("remove incomplete %s: %w", dir, err)
		}
	}
	tmp, err := os.MkdirTemp(parent, ".build-"+spec.Name+"-")
	if err != nil {
		return "", fmt.Errorf("create build folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	logPath := dir + ".log"
	logFile, err := os.Create(logPath) //nolint:gosec // our own cache folder
	if err != nil {
		return "", fmt.Errorf("create build log: %w", err)
	}
	defer func() { _ = logFile.Close() }()

	start := time.Now()
	msg := fmt.Sprintf("testenv: building %s from source into %s (first run only", describe, dir)
	if spec.Estimate != "" {
		msg += "; " + spec.Estimate
	}
	prog.Line("%s)", msg)
	b := &Builder{Out: tmp, spec: &spec, log: logFile, logPath: logPath, progress: prog}
	if err := spec.Build(ctx, b); err != nil {
		return "", err
	}
	if err := check(tmp); err != nil {
		return "", fmt.Errorf("build %s: %w: %w", describe, ErrBuildFailed, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { //nolint:gosec // a folder of executables others may run
		return "", fmt.Errorf("build %s: %w", describe, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("move built %s into %s: %w", describe, dir, err)
	}
	prog.End("testenv: built %s in %s", describe, time.Since(start).Round(time.Second))
	return dir, nil
}

// lockPollInterval is how often a waiting caller tries the lock again.
const lockPollInterval = 200 * time.Millisecond

// lockOrWait takes lock, waiting with progress while another process holds
// it. It reports whether dir was found complete once the lock was held,
// when there is nothing left to build. The caller unlocks lock unless an
// error is returned.
func lockOrWait(ctx context.Context, lock *flock.Flock, prog *Progress, describe, dir string, check func(string) error) (bool, error) {
	locked, err := lock.TryLock()
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", lock.Path(), err)
	}
	if locked {
		// Another process may have finished between our first look and
		// the lock.
		return check(dir) == nil, nil
	}
	start := time.Now()
	done := prog.Wait(describe, dir)
	locked, err = lock.TryLockContext(ctx, lockPollInterval)
	waited := time.Since(start).Round(time.Second)
	if err == nil && !locked {
		err = context.Cause(ctx)
	}
	if err != nil {
		done(fmt.Sprintf("stopped waiting for %s after %s", describe, waited))
		return false, fmt.Errorf("wait for lock %s: %w", lock.Path(), err)
	}
	if check(dir) == nil {
		done(fmt.Sprintf("%s ready after %s", describe, waited))
		return true, nil
	}
	done(fmt.Sprintf("%s still incomplete after %s (the other build failed); building it here", describe, waited))
	return false, nil
}

// Builder is what a [Spec]'s Build function works with. Its methods are
// not safe for concurrent use.
type Builder struct {
	// Out is the temporary folder to write binaries and files into. It is
	// renamed into the cache when Build returns nil and the spec is
	// complete.
	Out string

	spec     *Spec
	goPath   string
	log      *os.File
	logPath  string
	progress *Progress
}

// Step shows what runs, with the elapsed time on a terminal, until the
// returned func is called with the step's result.
func (b *Builder) Step(what string) func(error) { return b.progress.Step(what) }

// Go runs the go command with args in dir, for binary, and returns its
// standard output. Its environment is the process's, then GOWORK=off,
// GOFLAGS=-mod=mod and GO111MODULE=on, then env, then Spec.Env. Output is
// logged to the build log; a failure becomes a [*BuildError] whose Step is
// label.
func (b *Builder) Go(ctx context.Context, binary, label, dir string, env []string, args ...string) ([]byte, error) {
	if b.goPath == "" {
		goCmd := b.spec.GoCommand
		if goCmd == "" {
			goCmd = "go"
		}
		path, err := exec.LookPath(goCmd)
		if err != nil {
			return nil, &BuildError{Binary: binary, Step: "find go", Err: fmt.Errorf("%w: %w", ErrGoNotFound, err)}
		}
		b.goPath = path
	}
	cmd := exec.CommandContext(ctx, b.goPath, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GO111MODULE=on")
	cmd.Env = append(cmd.Env, env...)
	cmd.Env = append(cmd.Env, b.spec.Env...)
	cmd.WaitDelay = 5 * time.Second
	// stdout is written by one goroutine only; combined, shared by the
	// stdout and stderr copies, is locked.
	var stdout bytes.Buffer
	var combined lockedBuffer
	cmd.Stdout = io.MultiWriter(&stdout, &combined, b.log)
	cmd.Stderr = io.MultiWriter(&combined, b.log)
	_, _ = fmt.Fprintf(b.log, "\n$ (%s) go %s\n", dir, strings.Join(args, " "))
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("build %s: %s: %w", binary, label, context.Cause(ctx))
	}
	return nil, CommandFailure(binary, label, combined.String(), b.logPath, err)
}

// CommandFailure turns a failed go command into a [*BuildError]: the cause
// is [ErrModuleDownload] when output shows a module that could not be
// fetched, [ErrBuildFailed] otherwise, and the log tail is the last lines
// of output followed by the path of the full log.
func CommandFailure(binary, label, output, logPath string, err error) *BuildError {
	cause := ErrBuildFailed
	if isDownloadFailure(output) {
		cause = ErrModuleDownload
	}
	return &BuildError{
		Binary:  binary,
		Step:    label,
		LogTail: tail(output, logTailLines) + "(full log: " + logPath + ")",
		Err:     fmt.Errorf("%w: %w", cause, err),
	}
}

// Logf writes a line to the build log.
func (b *Builder) Logf(format string, args ...any) {
	_, _ = fmt.Fprintf(b.log, format+"\n", args...)
}

func isDownloadFailure(output string) bool {
	for _, mark := range downloadFailureMarks {
		if strings.Contains(output, mark) {
			return true
		}
	}
	return false
}

// tail returns the last n lines of s, each ending in a newline.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
