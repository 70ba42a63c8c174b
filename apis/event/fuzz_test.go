package event_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/apis/event"
)

// FuzzEventJSON decodes arbitrary bytes, validates the result, and checks
// that a valid event survives an encode/decode round trip and that Truncate
// always produces a valid message.
func FuzzEventJSON(f *testing.F) {
	e := validEvent()
	seed, err := json.Marshal(e)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"severity":"trace","message":"\u00e9\ud800"}`))
	f.Add([]byte(`{"involvedObject":{"kind":"K","name":"n"},"severity":"error","timestamp":"2026-01-02T03:04:05Z","message":"m","reason":"R","reportingController":"c","metadata":{"":"x"}}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var in event.Event
		if err := json.Unmarshal(data, &in); err != nil {
			return
		}
		truncated := event.Truncate(in.Message, 64)
		if len(truncated) > 64 {
			t.Fatalf("Truncate returned %d bytes, limit 64", len(truncated))
		}
		if utf8.ValidString(in.Message) && !utf8.ValidString(truncated) {
			t.Fatalf("Truncate broke UTF-8: %q", truncated)
		}
		if in.Validate() != nil {
			return
		}
		out, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("marshal a valid event: %v", err)
		}
		var again event.Event
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("decode a re-encoded event: %v", err)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("re-encoded event no longer valid: %v", err)
		}
		if again.Message != in.Message || again.Severity != in.Severity || again.Reason != in.Reason {
			t.Fatalf("round trip changed the event: %+v != %+v", again, in)
		}
	})
}
