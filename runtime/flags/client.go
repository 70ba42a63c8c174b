package flags

import (
	"strconv"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
)

// Client defaults, higher than client-go's 5 QPS and 10 burst: a controller
// reconciling many objects would otherwise throttle itself.
const (
	// DefaultKubeAPIQPS is the default of --kube-api-qps.
	DefaultKubeAPIQPS float32 = 50
	// DefaultKubeAPIBurst is the default of --kube-api-burst.
	DefaultKubeAPIBurst = 300
)

// ClientOptions configures the controller's client-side rate limit towards
// the API server.
type ClientOptions struct {
	// QPS is the sustained requests per second. Default [DefaultKubeAPIQPS].
	QPS float32
	// Burst is the short-term burst above QPS. Default [DefaultKubeAPIBurst].
	Burst int
}

// BindFlags registers --kube-api-qps and --kube-api-burst on fs and sets the
// defaults.
func (o *ClientOptions) BindFlags(fs *pflag.FlagSet) {
	fs.Float32Var(&o.QPS, "kube-api-qps", DefaultKubeAPIQPS, "maximum sustained queries per second to the Kubernetes API server")
	fs.IntVar(&o.Burst, "kube-api-burst", DefaultKubeAPIBurst, "maximum burst of queries to the Kubernetes API server")
}

// Validate returns an [*InvalidValueError] unless QPS and Burst are
// positive.
func (o ClientOptions) Validate() error {
	if o.QPS <= 0 {
		return &InvalidValueError{Flag: "kube-api-qps", Value: formatFloat(o.QPS), Reason: "want a positive number"}
	}
	if o.Burst <= 0 {
		return &InvalidValueError{Flag: "kube-api-burst", Value: formatInt(o.Burst), Reason: "want a positive number"}
	}
	return nil
}

// ApplyTo sets cfg's QPS and Burst.
func (o ClientOptions) ApplyTo(cfg *rest.Config) {
	cfg.QPS = o.QPS
	cfg.Burst = o.Burst
}

func formatFloat(f float32) string { return strconv.FormatFloat(float64(f), 'g', -1, 32) }

func formatInt(i int) string { return strconv.Itoa(i) }
