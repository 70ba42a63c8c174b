package archive

import (
	"errors"
	"fmt"
)

// Sentinel errors. Extract wraps the refusals in an *ExtractError naming the
// entry; test with errors.Is. All of them are terminal: the same input fails
// the same way again.
var (
	// ErrInvalidPattern reports a malformed ignore pattern.
	ErrInvalidPattern = errors.New("invalid ignore pattern")

	// ErrPathTraversal reports an entry whose name, or hard link target,
	// climbs out of the target directory with "..".
	ErrPathTraversal = errors.New("path traversal")

	// ErrAbsolutePath reports an entry whose name or link target is an
	// absolute path.
	ErrAbsolutePath = errors.New("absolute path")

	// ErrSymlinkEscape reports a symbolic link whose target points outside
	// the target directory, or an entry whose path goes through a symbolic
	// link of the archive.
	ErrSymlinkEscape = errors.New("symbolic link escapes the target directory")

	// ErrHardlinkEscape reports a hard link whose target is not a regular
	// file extracted earlier from the same archive.
	ErrHardlinkEscape = errors.New("hard link escapes the target directory")

	// ErrUnsupportedType reports an entry that is neither a regular file, a
	// directory, a symbolic link nor a hard link: device files, FIFOs and
	// sockets among others. Build returns it for such files too.
	ErrUnsupportedType = errors.New("unsupported entry type")

	// ErrDuplicateEntry reports a second entry with the name of an earlier
	// one (two directory entries of one name are allowed).
	ErrDuplicateEntry = errors.New("duplicate entry")

	// ErrTooLarge reports an archive whose regular files hold more bytes in
	// total than ExtractOptions.MaxSize allows.
	ErrTooLarge = errors.New("archive too large")

	// ErrTooManyFiles reports an archive with more entries than
	// ExtractOptions.MaxFiles allows.
	ErrTooManyFiles = errors.New("too many files in archive")

	// ErrInvalidArchive reports input that is not a valid gzip-compressed
	// tar stream, or an entry with an invalid name (empty, NUL byte).
	ErrInvalidArchive = errors.New("invalid archive")

	// ErrTargetNotEmpty reports an Extract target that exists and is not an
	// empty directory.
	ErrTargetNotEmpty = errors.New("target exists and is not an empty directory")
)

// ExtractError reports a refused or failed entry of an archive. Err wraps
// one of the sentinel errors above, or the file system error.
type ExtractError struct {
	// Name is the entry's name as written in the archive.
	Name string
	// Link is the symbolic or hard link target, "" for other entries.
	Link string
	// Err is the reason.
	Err error
}

// Error implements error.
func (e *ExtractError) Error() string {
	if e.Link != "" {
		return fmt.Sprintf("extract entry %q -> %q: %v", e.Name, e.Link, e.Err)
	}
	return fmt.Sprintf("extract entry %q: %v", e.Name, e.Err)
}

// Unwrap returns Err.
func (e *ExtractError) Unwrap() error { return e.Err }
