package events

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidAddress means the webhook address is not an absolute
	// http(s) URL.
	ErrInvalidAddress = errors.New("invalid webhook address")

	// ErrInsecureAddress means the webhook address uses plain http:// and
	// WithInsecureHTTP was not given.
	ErrInsecureAddress = errors.New("plain http webhook address not allowed")

	// ErrInvalidOption means an option value is out of range.
	ErrInvalidOption = errors.New("invalid option")

	// ErrUnexpectedStatus means the receiver answered with a status other
	// than 2xx.
	ErrUnexpectedStatus = errors.New("unexpected response status")
)

// DeliveryError is returned by [Recorder.Event] when the payload could not
// be posted to the receiver. The Kubernetes event was recorded anyway.
type DeliveryError struct {
	// Address is the receiver's address without user information, query or
	// fragment, so it is safe to log.
	Address string

	// Attempts is how many HTTP attempts were made.
	Attempts int

	// StatusCode is the status of the last response, 0 when none came.
	StatusCode int

	// Err is the cause of the last failure: it wraps ErrUnexpectedStatus,
	// a context error (context.DeadlineExceeded, context.Canceled) or a
	// network error.
	Err error
}

// Error implements error.
func (e *DeliveryError) Error() string {
	return fmt.Sprintf("post event to %s: gave up after %d attempt(s): %v", e.Address, e.Attempts, e.Err)
}

// Unwrap returns the cause of the last failure.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Retryable reports whether a later delivery could succeed: false when the
// receiver refused the payload with a 4xx status other than 408 and 429.
func (e *DeliveryError) Retryable() bool {
	return !permanentStatus(e.StatusCode)
}

func permanentStatus(code int) bool {
	return code >= 400 && code < 500 && code != 408 && code != 429
}
