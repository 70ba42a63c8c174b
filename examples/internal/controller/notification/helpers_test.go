package notification_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
)

// received is one request a sink got.
type received struct {
	header http.Header
	body   []byte
	event  event.Event
	// sigErr is the outcome of checking X-Signature with the sink's key.
	sigErr error
}

// sink is a webhook receiver standing in for a notification service: it
// records what it gets and checks the HMAC signature against its key.
type sink struct {
	srv  *httptest.Server
	key  []byte
	fail atomic.Bool

	mu   sync.Mutex
	got  []received
	hits int
}

func newSink(t *testing.T, key []byte, tls bool) *sink {
	t.Helper()
	s := &sink{key: key}
	h := http.HandlerFunc(s.serve)
	if tls {
		s.srv = httptest.NewTLSServer(h)
	} else {
		s.srv = httptest.NewServer(h)
	}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	if s.fail.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	rc := received{header: r.Header.Clone(), body: body}
	_ = json.Unmarshal(body, &rc.event)
	if s.key != nil {
		rc.sigErr = notification.VerifySignature(s.key, body, r.Header.Get(notification.SignatureHeader))
	}
	s.got = append(s.got, rc)
	w.WriteHeader(http.StatusNoContent)
}

// requests returns what the sink accepted so far.
func (s *sink) requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// attempts returns how many requests reached the sink, refused ones
// included.
func (s *sink) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}
