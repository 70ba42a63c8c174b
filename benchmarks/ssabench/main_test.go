package ssabench

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/sluice-dev/sluice/testenv"
)

// env is the control plane the benchmarks share, started by TestMain only
// when benchmarks run.
var env *testenv.Environment

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		// Plain `go test` runs no benchmark: skip the control plane.
		os.Exit(m.Run())
	}
	// Silence controller-runtime's warning about a logger never set.
	logf.SetLogger(logr.Discard())
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e }))
}

// counter counts the HTTP requests that go through it.
type counter struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// countingClient returns a client of its own (with its own REST mapper and
// discovery) whose requests are counted. Client-side rate limiting is lifted
// alike for every implementation, so the apiserver sets the pace.
func countingClient(b *testing.B) (client.Client, *counter) {
	b.Helper()
	cfg := env.Config()
	cfg.QPS, cfg.Burst = 5000, 10000
	cnt := &counter{}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		cnt.next = rt
		return cnt
	}
	c, err := client.New(rest.CopyConfig(cfg), client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return c, cnt
}

// namespace creates a fresh namespace outside the benchmark timer.
func namespace(b *testing.B, prefix string) string {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns, err := env.CreateNamespace(ctx, prefix)
	if err != nil {
		b.Fatal(fmt.Errorf("create namespace: %w", err))
	}
	return ns
}
