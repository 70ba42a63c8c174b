package notification

import "errors"

var (
	// ErrMissingSignature means a call that must be signed carries no
	// signature header.
	ErrMissingSignature = errors.New("missing signature")

	// ErrMalformedSignature means a signature header is not
	// "sha256=<64 hex digits>".
	ErrMalformedSignature = errors.New("malformed signature")

	// ErrSignatureMismatch means a signature does not match the body.
	ErrSignatureMismatch = errors.New("signature does not match")

	// ErrPayloadTooLarge means a request body is longer than the server's
	// limit.
	ErrPayloadTooLarge = errors.New("payload too large")

	// ErrInvalidPayload means a request body is not one well-formed,
	// valid event.
	ErrInvalidPayload = errors.New("invalid payload")

	// ErrInvalidConfig means a Provider, Alert or Receiver, or a Secret
	// it refers to, cannot be used as it is.
	ErrInvalidConfig = errors.New("invalid configuration")

	// ErrDelivery means a Provider did not accept a forwarded event.
	ErrDelivery = errors.New("delivery failed")
)

// ErrInvalidSecret means a Secret a Provider or Receiver refers to lacks a
// required key or holds an unusable value.
var ErrInvalidSecret = errors.New("invalid secret")

// ErrInsecureAddress means a Provider address uses plain http:// and
// insecure HTTP is not allowed; it comes with [ErrInvalidConfig] or
// [ErrInvalidSecret].
var ErrInsecureAddress = errors.New("plain http address not allowed")
