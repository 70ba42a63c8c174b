package patch_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/testenv"
)

var env *testenv.Environment

func scheme() *runtime.Scheme {
	s := testenv.DefaultScheme()
	_ = testapi.AddToScheme(s)
	return s
}

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithScheme(scheme()),
		testenv.WithCRDPaths("../internal/testapi/testdata/crd"),
	))
}

// counts are the requests a countingTransport saw.
type counts struct {
	// statusWrites are PATCH and PUT requests to a status subresource,
	// statusConflicts those of them the server answered 409 Conflict.
	statusWrites, statusConflicts int
	// otherWrites are PATCH and PUT requests to an object itself,
	// otherConflicts those answered 409.
	otherWrites, otherConflicts int
	// reads are GET requests for one Widget or its status (the client's
	// cache serves none of them, and the informers' list and watch
	// requests are not single objects).
	reads int
}

func (c counts) minus(d counts) counts {
	return counts{
		statusWrites: c.statusWrites - d.statusWrites, statusConflicts: c.statusConflicts - d.statusConflicts,
		otherWrites: c.otherWrites - d.otherWrites, otherConflicts: c.otherConflicts - d.otherConflicts,
		reads: c.reads - d.reads,
	}
}

// counter counts the requests a countingTransport sees, can run hooks
// before a write is sent, and holds a gate on the Widget watch streams.
type counter struct {
	mu sync.Mutex
	n  counts
	// beforeStatus runs before every status write, beforeOther before
	// every other write.
	beforeStatus, beforeOther func()
	// gate, when not nil, holds every Widget watch event read from the
	// server until it is closed (the gate opened).
	gate chan struct{}
}

type countingTransport struct {
	c    *counter
	next http.RoundTripper
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	write := req.Method == http.MethodPatch || req.Method == http.MethodPut
	status := strings.HasSuffix(req.URL.Path, "/status")
	widget := strings.Contains(req.URL.Path, "/widgets/")
	c.mu.Lock()
	var hook func()
	switch {
	case write && status:
		c.n.statusWrites++
		hook = c.beforeStatus
	case write:
		c.n.otherWrites++
		hook = c.beforeOther
	case req.Method == http.MethodGet && widget && req.URL.Query().Get("watch") == "":
		c.n.reads++
	}
	c.mu.Unlock()
	if hook != nil {
		hook()
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if write && resp.StatusCode == http.StatusConflict {
		c.mu.Lock()
		if status {
			c.n.statusConflicts++
		} else {
			c.n.otherConflicts++
		}
		c.mu.Unlock()
	}
	if req.Method == http.MethodGet && req.URL.Query().Get("watch") != "" && strings.HasSuffix(req.URL.Path, "/widgets") {
		resp.Body = gatedBody{ReadCloser: resp.Body, c: c, done: req.Context().Done()}
	}
	return resp, nil
}

// gatedBody holds what a watch stream read until the counter's gate opens.
type gatedBody struct {
	io.ReadCloser
	c    *counter
	done <-chan struct{}
}

func (b gatedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.c.mu.Lock()
	gate := b.c.gate
	b.c.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-b.done:
		}
	}
	return n, err
}

// set changes the counter's hooks or gate under its lock.
func (c *counter) set(f func(c *counter)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

// closeGate holds the watch events read from now on.
func (c *counter) closeGate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gate == nil {
		c.gate = make(chan struct{})
	}
}

// openGate lets the held watch events through.
func (c *counter) openGate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gate != nil {
		close(c.gate)
		c.gate = nil
	}
}

// gateClosed says whether watch events are held.
func (c *counter) gateClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gate != nil
}

// counts returns the requests so far.
func (c *counter) counts() counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// countingConfig returns a rest.Config for the test control plane whose
// requests go through a new counter.
func countingConfig() (*rest.Config, *counter) {
	cfg := env.Config()
	c := &counter{}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return countingTransport{c: c, next: rt}
	}
	return cfg, c
}

// countingClient returns an uncached client whose requests are counted.
func countingClient(t *testing.T) (client.Client, *counter) {
	t.Helper()
	cfg, c := countingConfig()
	cl, err := client.New(cfg, client.Options{Scheme: env.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return cl, c
}
