package patch_test

import (
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

// counter counts the writes a countingTransport sees, to the status
// subresource and to the main resource, and can run a hook before a
// status write is sent.
type counter struct {
	mu           sync.Mutex
	statusWrites int
	otherWrites  int
	beforeStatus func()
}

type countingTransport struct {
	c    *counter
	next http.RoundTripper
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	if req.Method == http.MethodPatch || req.Method == http.MethodPut {
		c.mu.Lock()
		hook := c.beforeStatus
		if strings.HasSuffix(req.URL.Path, "/status") {
			c.statusWrites++
		} else {
			c.otherWrites++
			hook = nil
		}
		c.mu.Unlock()
		if hook != nil {
			hook()
		}
	}
	return t.next.RoundTrip(req)
}

// counts returns the status writes and the other writes so far.
func (c *counter) counts() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.statusWrites, c.otherWrites
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
