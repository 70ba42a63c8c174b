package notification

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sluice-dev/sluice/apis/event"
)

// readBody reads at most limit bytes of r and returns an error wrapping
// [ErrPayloadTooLarge] when r holds more.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read body: longer than %d bytes: %w", limit, ErrPayloadTooLarge)
	}
	return data, nil
}

// DecodeEvent reads one JSON event of at most limit bytes from r and
// validates it. Unknown fields are ignored, as the wire format asks;
// trailing data after the object is refused.
//
// It returns an error wrapping [ErrPayloadTooLarge] for a longer body, and
// [ErrInvalidPayload] for malformed JSON or an invalid event (then also
// wrapping the *event.ValidationError). The errors never quote the
// message.
func DecodeEvent(r io.Reader, limit int64) (*event.Event, error) {
	data, err := readBody(r, limit)
	if err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return parseEvent(data)
}

// parseEvent decodes and validates one event.
func parseEvent(data []byte) (*event.Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var e event.Event
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("decode event: %w: %s", ErrInvalidPayload, describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode event: %w: data after the JSON object", ErrInvalidPayload)
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("decode event: %w: %w", ErrInvalidPayload, err)
	}
	return &e, nil
}

// describeJSONError says what is wrong with a JSON document without
// quoting its content.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at offset %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s)", typ.Field, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "empty or truncated JSON"
	default:
		return "malformed JSON"
	}
}
