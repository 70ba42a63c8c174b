package setters

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidSetter is returned, wrapped, by ParseComment for a comment
	// that names "$imagepolicy" but is not a valid setter.
	ErrInvalidSetter = errors.New("invalid image policy setter")

	// ErrInvalidYAML is in the chain of every *YAMLError.
	ErrInvalidYAML = errors.New("invalid YAML")
)

// YAMLError reports input that Apply cannot parse as YAML.
type YAMLError struct {
	// Err is the parser's error.
	Err error
}

// Error implements error.
func (e *YAMLError) Error() string { return fmt.Sprintf("parse yaml: %v", e.Err) }

// Unwrap returns ErrInvalidYAML and the parser's error.
func (e *YAMLError) Unwrap() []error { return []error{ErrInvalidYAML, e.Err} }
