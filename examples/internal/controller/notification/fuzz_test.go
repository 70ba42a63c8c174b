package notification_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
)

// FuzzDecodeEvent checks that any body either decodes to a valid event or
// is refused with ErrInvalidPayload or ErrPayloadTooLarge, and that errors
// never echo the message.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"involvedObject":{"kind":"ConfigMap","name":"app"},"severity":"info","timestamp":"2026-11-24T01:02:03Z","message":"m","reason":"R","reportingController":"c"}`))
	f.Add([]byte(`{"involvedObject":{"kind":"ConfigMap","name":"app"},"severity":"fatal","timestamp":"2026-11-24T01:02:03Z","message":"m","reason":"R","reportingController":"c","metadata":{" ":"x"}}`))
	f.Add([]byte(`{}{}`))
	f.Add([]byte(`{"severity": 3}`))
	f.Add([]byte("\x00"))
	const limit = 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := notification.DecodeEvent(bytes.NewReader(data), limit)
		if err != nil {
			if !errors.Is(err, notification.ErrInvalidPayload) && !errors.Is(err, notification.ErrPayloadTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			var probe event.Event
			if json.Unmarshal(data, &probe) == nil && len(probe.Message) > 8 && strings.Contains(err.Error(), probe.Message) {
				t.Fatalf("error echoes the message: %v", err)
			}
			return
		}
		if len(data) > limit {
			t.Fatalf("accepted %d bytes over the %d limit", len(data), limit)
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("accepted an invalid event: %v", err)
		}
	})
}

// FuzzVerifySignature checks that a signature verifies exactly when it is
// the HMAC of the body, in either hex case.
func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte("key"), []byte("body"), "")
	f.Add([]byte("key"), []byte("body"), "sha256=00")
	f.Add([]byte(""), []byte(""), notification.Sign(nil, nil))
	f.Add([]byte("k"), []byte("b"), "SHA256="+strings.ToUpper(strings.TrimPrefix(notification.Sign([]byte("k"), []byte("b")), "sha256=")))
	f.Fuzz(func(t *testing.T, key, body []byte, header string) {
		good := notification.Sign(key, body)
		if err := notification.VerifySignature(key, body, good); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		err := notification.VerifySignature(key, body, header)
		if err == nil {
			algo, digest, _ := strings.Cut(header, "=")
			if !strings.EqualFold(algo, "sha256") || !strings.EqualFold(digest, strings.TrimPrefix(good, "sha256=")) {
				t.Fatalf("accepted %q, want %q", header, good)
			}
			return
		}
		if !errors.Is(err, notification.ErrMissingSignature) && !errors.Is(err, notification.ErrMalformedSignature) &&
			!errors.Is(err, notification.ErrSignatureMismatch) {
			t.Fatalf("unclassified error: %v", err)
		}
		if header != "" && len(header) > 12 && strings.Contains(err.Error(), header) {
			t.Fatalf("error echoes the header: %v", err)
		}
	})
}
