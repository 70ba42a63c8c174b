package event

import (
	"errors"
	"fmt"
)

var (
	// ErrMissingField means a required field is empty.
	ErrMissingField = errors.New("required field is empty")

	// ErrInvalidSeverity means the severity is not SeverityTrace,
	// SeverityInfo or SeverityError.
	ErrInvalidSeverity = errors.New("unknown severity")

	// ErrMessageTooLong means the message is longer than MaxMessageSize;
	// [Truncate] fixes it.
	ErrMessageTooLong = errors.New("message longer than the maximum size")

	// ErrInvalidMessage means the message is not valid UTF-8.
	ErrInvalidMessage = errors.New("message is not valid UTF-8")

	// ErrInvalidMetadata means a metadata key is empty or blank.
	ErrInvalidMetadata = errors.New("blank metadata key")
)

// ValidationError is returned by [Event.Validate] for an event that must
// not be sent.
type ValidationError struct {
	// Field is the JSON path of the offending field, for example
	// "involvedObject.name".
	Field string

	// Value is the offending value, when showing it helps (an unknown
	// severity); empty otherwise. Messages are never copied here.
	Value string

	// Err is the sentinel that classifies the problem.
	Err error
}

// Error implements error.
func (e *ValidationError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("validate event: %s %q: %v", e.Field, e.Value, e.Err)
	}
	return fmt.Sprintf("validate event: %s: %v", e.Field, e.Err)
}

// Unwrap returns the sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }
