package provider_test

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// request is what a fake API received.
type request struct {
	Method string
	Path   string // escaped path, as sent
	Auth   string // the Authorization (or PRIVATE-TOKEN) header
	Body   map[string]any
}

// String returns "METHOD PATH".
func (r request) String() string { return r.Method + " " + r.Path }

// fakeAPI is a provider's REST API reduced to the routes a test sets, each
// answering with a status and a JSON body. It records every request; an
// unknown route answers 404 and is recorded as such.
type fakeAPI struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]func(r request) (int, any)
	got    []request
	// headers are set on every response.
	headers http.Header
}

func newFakeAPI(t *testing.T) *fakeAPI {
	return &fakeAPI{t: t, routes: map[string]func(request) (int, any){}, headers: http.Header{}}
}

// on answers "METHOD PATH" (PATH escaped, without the query) with fn.
func (f *fakeAPI) on(route string, fn func(r request) (int, any)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = fn
}

// reply answers route with a fixed status and body.
func (f *fakeAPI) reply(route string, status int, body any) {
	f.on(route, func(request) (int, any) { return status, body })
}

// requests returns the requests received so far as "METHOD PATH" and
// forgets them.
func (f *fakeAPI) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	got := f.got
	f.got = nil
	return got
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	req := request{Method: r.Method, Path: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization")}
	if tok := r.Header.Get("PRIVATE-TOKEN"); tok != "" {
		req.Auth = "PRIVATE-TOKEN " + tok
	}
	if len(data) > 0 && strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		_ = json.Unmarshal(data, &req.Body)
	}
	f.mu.Lock()
	f.got = append(f.got, req)
	fn := f.routes[req.String()]
	f.mu.Unlock()
	for k, v := range f.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	if fn == nil {
		f.t.Logf("fake API: unhandled %s", req)
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not Found"}`))
		return
	}
	status, body := fn(req)
	w.WriteHeader(status)
	if body != nil {
		_ = json.NewEncoder(w).Encode(body)
	}
}

// serveTLS serves f over HTTPS with httptest's certificate and returns the
// server; its CA is srv.Certificate().
func serveTLS(t *testing.T, f *fakeAPI) *httptest.Server {
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // expected handshake failures
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// caPEM returns the PEM of a httptest TLS server's certificate.
func caPEM(srv *httptest.Server) []byte {
	return pemCert(srv.Certificate().Raw)
}

// routes lists requests as "METHOD PATH".
func routes(reqs []request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.String()
	}
	return out
}
