package manifest

import (
	"errors"
	"strconv"
)

var (
	// ErrMalformed means a document is not valid YAML or JSON, is not an
	// object, or holds a field of the wrong type.
	ErrMalformed = errors.New("malformed document")
	// ErrMissingField means an object lacks apiVersion, kind or
	// metadata.name.
	ErrMissingField = errors.New("missing required field")
	// ErrDuplicate means two objects share group, kind, namespace and
	// name.
	ErrDuplicate = errors.New("duplicate object")
)

// DocumentError reports a document that cannot be read into an object. It
// wraps ErrMalformed, ErrMissingField or ErrDuplicate.
type DocumentError struct {
	// Source names the file the document came from, relative to the
	// folder read; empty for a stream given to Read.
	Source string
	// Index is the 1-based position of the document among the non-empty
	// documents of Source.
	Index int
	// Line is the 1-based line of Source where the problem is: the line a
	// syntax error names, else the first line of the document.
	Line int
	// Err says what is wrong; it wraps one of the package's sentinels.
	Err error
}

// Error returns "read manifest <source> document <index> line <line>: <err>".
func (e *DocumentError) Error() string {
	where := "read manifest "
	if e.Source != "" {
		where += e.Source + " "
	}
	return where + "document " + strconv.Itoa(e.Index) + " line " + strconv.Itoa(e.Line) + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *DocumentError) Unwrap() error { return e.Err }
