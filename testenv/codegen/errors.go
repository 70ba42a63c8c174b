package codegen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

var (
	// ErrStale is wrapped by every [*StaleError]: the committed files differ
	// from what controller-gen generates now. Regenerate them; running
	// [Verify] again without doing so fails the same way.
	ErrStale = errors.New("generated files are stale")

	// ErrGoNotFound is returned by [Verify] when no go command can be found
	// to run controller-gen (Options.Go, or "go" on PATH). It is the same
	// error as testenv.ErrGoNotFound. [SkipAllowed] tells whether a test
	// may skip because of it.
	ErrGoNotFound = toolbuild.ErrGoNotFound

	// ErrGenerate is returned by [Verify] when controller-gen fails: the
	// tools module does not declare it, a package does not type-check, a
	// marker is invalid, ... The message holds the command and its output.
	ErrGenerate = errors.New("controller-gen failed")

	// ErrInvalidOptions is returned by [Verify] when [Options] are
	// incomplete or contradict each other. The message names the field.
	ErrInvalidOptions = errors.New("invalid codegen options")
)

// Change says how a committed file differs from controller-gen's output.
type Change int

const (
	// Missing is a file controller-gen generates that is not committed.
	Missing Change = iota + 1
	// Extra is a committed file controller-gen no longer generates.
	Extra
	// Stale is a committed file whose content differs from the generated one.
	Stale
)

// String returns "missing", "extra" or "stale", and "Change(N)" for any
// other value.
func (c Change) String() string {
	switch c {
	case Missing:
		return "missing"
	case Extra:
		return "extra"
	case Stale:
		return "stale"
	default:
		return fmt.Sprintf("Change(%d)", int(c))
	}
}

// FileDiff is one committed file that does not match controller-gen's
// output.
type FileDiff struct {
	// Path is the committed file's path, joined from the folders given in
	// [Options] (relative when they are).
	Path string
	// Change is how the file differs.
	Change Change
	// Hint is one line that locates the difference: for a stale file the
	// first differing line with both versions of it, for a missing or an
	// extra file which side lacks it.
	Hint string
}

// String returns "<change> <path>: <hint>".
func (d FileDiff) String() string {
	return fmt.Sprintf("%s %s: %s", d.Change, d.Path, d.Hint)
}

// StaleError lists every committed file that differs from controller-gen's
// output. It unwraps to [ErrStale].
type StaleError struct {
	// Files holds one entry per differing file, sorted by Path.
	Files []FileDiff
	// Regenerate is Options.Regenerate: how to bring the files up to date.
	// Empty when the caller gave none.
	Regenerate string
}

// Error implements error: a summary line, then one indented line per file,
// then the Regenerate advice when there is one.
func (e *StaleError) Error() string {
	var b strings.Builder
	noun := "files differ"
	if len(e.Files) == 1 {
		noun = "file differs"
	}
	fmt.Fprintf(&b, "verify generated files: %d %s from controller-gen's output", len(e.Files), noun)
	for _, f := range e.Files {
		b.WriteString("\n\t")
		b.WriteString(f.String())
	}
	if e.Regenerate != "" {
		b.WriteString("\nto regenerate: ")
		b.WriteString(e.Regenerate)
	}
	return b.String()
}

// Unwrap returns [ErrStale].
func (e *StaleError) Unwrap() error { return ErrStale }
