package events

import (
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/sluice-dev/sluice/apis/event"
)

// Defaults of a [Recorder].
const (
	// DefaultMaxAttempts is how many times a post is tried before giving up.
	DefaultMaxAttempts = 4

	// DefaultBackoff is the wait after the first failed attempt; it doubles
	// after each further failure up to DefaultMaxBackoff.
	DefaultBackoff = 500 * time.Millisecond

	// DefaultMaxBackoff caps the wait between attempts.
	DefaultMaxBackoff = 5 * time.Second

	// DefaultAttemptTimeout bounds one HTTP attempt.
	DefaultAttemptTimeout = 10 * time.Second

	// DefaultTimeout bounds a whole delivery, attempts and waits included.
	DefaultTimeout = 30 * time.Second

	// kubernetesNoteLimit is the longest note the events.k8s.io API accepts.
	kubernetesNoteLimit = 1024
)

// Option configures a [Recorder].
type Option func(*options)

type options struct {
	webhook        string
	allowInsecure  bool
	httpClient     *http.Client
	scheme         *runtime.Scheme
	schemeSet      bool // WithScheme was given
	instance       string
	prefix         string
	maxAttempts    int
	backoff        time.Duration
	maxBackoff     time.Duration
	attemptTimeout time.Duration
	timeout        time.Duration
}

func defaultOptions() options {
	return options{
		httpClient: &http.Client{
			// A redirect could downgrade to plain HTTP or leave the
			// receiver's host: report it as a failed delivery instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		prefix:         event.MetadataPrefix,
		maxAttempts:    DefaultMaxAttempts,
		backoff:        DefaultBackoff,
		maxBackoff:     DefaultMaxBackoff,
		attemptTimeout: DefaultAttemptTimeout,
		timeout:        DefaultTimeout,
	}
}

// WithWebhook sets the address of the notification receiver that info and
// error events are posted to. It must be an https:// URL unless
// [WithInsecureHTTP] is given too. The default is none: events are only
// recorded as Kubernetes events.
func WithWebhook(address string) Option {
	return func(o *options) { o.webhook = address }
}

// WithInsecureHTTP allows a plain http:// webhook address. The default is
// to refuse one, since event payloads and the address may carry tokens;
// allow it only for a receiver inside the cluster network or in tests.
func WithInsecureHTTP() Option {
	return func(o *options) { o.allowInsecure = true }
}

// WithHTTPClient sets the client used to post events, for example one with
// a custom TLS configuration. Its own Timeout, if any, applies in addition
// to the recorder's timeouts. The default is a new http.Client using
// http.DefaultTransport that does not follow redirects (a 3xx answer is a
// failed delivery).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.httpClient = c }
}

// WithScheme sets the scheme used to find the API version and kind of
// objects for the payload's involvedObject; nil is refused. The default is
// a scheme of client-go's built-in kinds that [NewRecorder] builds for the
// Recorder alone (never client-go's global, mutable scheme.Scheme): pass
// the manager's scheme for custom resources.
func WithScheme(s *runtime.Scheme) Option {
	return func(o *options) {
		o.scheme = s
		o.schemeSet = true
	}
}

// newDefaultScheme returns a new scheme that knows client-go's built-in
// types.
func newDefaultScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("build default scheme: %w", err)
	}
	return s, nil
}

// WithReportingInstance sets the payload's reportingInstance, for example
// the pod name. The default is empty.
func WithReportingInstance(instance string) Option {
	return func(o *options) { o.instance = instance }
}

// WithAnnotationPrefix sets the prefix of the object annotations copied
// into every payload's metadata. The default is event.MetadataPrefix; an
// empty prefix copies none.
func WithAnnotationPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithRetries sets how many attempts a post gets (at least 1) and the wait
// after the first failure, which doubles after each further failure up to
// DefaultMaxBackoff. The defaults are DefaultMaxAttempts and DefaultBackoff.
func WithRetries(maxAttempts int, backoff time.Duration) Option {
	return func(o *options) {
		o.maxAttempts = maxAttempts
		o.backoff = backoff
	}
}

// WithTimeouts sets the bound of one attempt and of a whole delivery. The
// defaults are DefaultAttemptTimeout and DefaultTimeout.
func WithTimeouts(attempt, total time.Duration) Option {
	return func(o *options) {
		o.attemptTimeout = attempt
		o.timeout = total
	}
}
