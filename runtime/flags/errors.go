package flags

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidValue is matched by every [*InvalidValueError] and by
	// malformed feature gates.
	ErrInvalidValue = errors.New("invalid value")

	// ErrUnknownFeatureGate is matched by a [*FeatureGateError] naming a
	// gate the controller does not know.
	ErrUnknownFeatureGate = errors.New("unknown feature gate")

	// ErrInsecureHTTP is matched by every [*InsecureHTTPError].
	ErrInsecureHTTP = errors.New("plain HTTP not allowed")
)

// InvalidValueError reports a flag value, or a combination of flags, that
// is refused. It matches [ErrInvalidValue].
type InvalidValueError struct {
	// Flag is the flag's name, without dashes; empty when the value did not
	// come from a flag.
	Flag string
	// Value is the refused value.
	Value string
	// Reason says what is expected.
	Reason string
}

// Error describes the refused value.
func (e *InvalidValueError) Error() string {
	what := "--" + e.Flag
	if e.Flag == "" {
		what = "value"
	}
	return fmt.Sprintf("parse %s %q: %s: %s", what, e.Value, ErrInvalidValue, e.Reason)
}

// Is reports whether target is [ErrInvalidValue].
func (e *InvalidValueError) Is(target error) bool { return target == ErrInvalidValue }

// FeatureGateError reports a feature gate that --feature-gates cannot set.
type FeatureGateError struct {
	// Gate is the gate's name as given.
	Gate string
	// Err is [ErrUnknownFeatureGate] or [ErrInvalidValue].
	Err error
}

// Error describes the gate.
func (e *FeatureGateError) Error() string {
	return fmt.Sprintf("parse --feature-gates: gate %q: %v", e.Gate, e.Err)
}

// Unwrap returns Err.
func (e *FeatureGateError) Unwrap() error { return e.Err }

// InsecureHTTPError reports a plain-HTTP URL that the insecure-HTTP policy
// blocks. It matches [ErrInsecureHTTP].
type InsecureHTTPError struct {
	// URL is the refused URL with any user information removed.
	URL string
	// Source is where the URL came from: empty for [InsecureHTTPOptions.CheckURL],
	// the environment variable's name for a proxy.
	Source string
}

// Error describes the refused URL.
func (e *InsecureHTTPError) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("check proxy %s=%s: %s (set --insecure-allow-http to allow)", e.Source, e.URL, ErrInsecureHTTP)
	}
	return fmt.Sprintf("check url %s: %s (set --insecure-allow-http to allow)", e.URL, ErrInsecureHTTP)
}

// Is reports whether target is [ErrInsecureHTTP].
func (e *InsecureHTTPError) Is(target error) bool { return target == ErrInsecureHTTP }
