package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/logr"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
)

// Exit codes of [Main].
const (
	// ExitOK means the manager stopped cleanly after a signal.
	ExitOK = 0
	// ExitFailure means the controller failed to start or stopped with an
	// error.
	ExitFailure = 1
	// ExitUsage means the command line did not parse.
	ExitUsage = 2
)

// Options are the flags every example controller shares. BindFlags sets
// the defaults.
type Options struct {
	// Log configures the logger (--log-encoding, --log-level).
	Log flags.LogOptions
	// Client is the client-side rate limit (--kube-api-qps, --kube-api-burst).
	Client flags.ClientOptions
	// LeaderElection configures leader election (--enable-leader-election…).
	LeaderElection flags.LeaderElectionOptions
	// Retry is the requeue rate limiting of failed reconciles.
	Retry flags.RetryOptions
	// Watch selects the watched namespaces and labels.
	Watch flags.WatchOptions
	// Access is the multi-tenancy lockdown (--default-service-account,
	// --no-cross-namespace-refs).
	Access flags.AccessOptions
	// InsecureHTTP is the plain-HTTP policy (--insecure-allow-http).
	InsecureHTTP flags.InsecureHTTPOptions

	// Kubeconfig is the kubeconfig file (--kubeconfig). Default empty: the
	// KUBECONFIG variable, the in-cluster config, then ~/.kube/config.
	Kubeconfig string
	// Namespace is the controller's own namespace (--namespace), watched
	// alone with --watch-all-namespaces=false. Default: the POD_NAMESPACE
	// environment variable.
	Namespace string
	// MetricsAddr is the Prometheus endpoint's address (--metrics-addr).
	// Default ":8080"; "0" disables it.
	MetricsAddr string
	// HealthAddr is the health probes' address (--health-addr). Default
	// ":9440"; "0" disables them.
	HealthAddr string
	// EventsAddr is the notification receiver that events are posted to
	// (--events-addr). Default empty: Kubernetes events only.
	EventsAddr string
}

// BindFlags registers the shared flags on fs and sets their defaults.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	o.Log.BindFlags(fs)
	o.Client.BindFlags(fs)
	o.LeaderElection.BindFlags(fs)
	o.Retry.BindFlags(fs)
	o.Watch.BindFlags(fs)
	o.Access.BindFlags(fs)
	o.InsecureHTTP.BindFlags(fs)
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, the in-cluster config, then ~/.kube/config)")
	fs.StringVar(&o.Namespace, "namespace", os.Getenv("POD_NAMESPACE"), "the controller's own namespace (default: $POD_NAMESPACE)")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", ":8080", `address of the Prometheus metrics endpoint ("0" disables it)`)
	fs.StringVar(&o.HealthAddr, "health-addr", ":9440", `address of the /healthz and /readyz probes ("0" disables them)`)
	fs.StringVar(&o.EventsAddr, "events-addr", "", "URL of the notification receiver that events are posted to (default: none)")
}

// Validate checks the options that flag parsing cannot.
func (o Options) Validate() error {
	if err := o.Client.Validate(); err != nil {
		return err
	}
	if err := o.LeaderElection.Validate(); err != nil {
		return err
	}
	if err := o.Retry.Validate(); err != nil {
		return err
	}
	if o.EventsAddr != "" {
		if err := o.InsecureHTTP.CheckURL(o.EventsAddr); err != nil {
			return fmt.Errorf("--events-addr: %w", err)
		}
	}
	return o.InsecureHTTP.Validate()
}

// RESTConfig loads the rest.Config from Kubeconfig, or from the usual
// places when it is empty, with the client rate limit applied.
func (o Options) RESTConfig() (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if o.Kubeconfig != "" {
		rules.ExplicitPath = o.Kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	o.Client.ApplyTo(cfg)
	return cfg, nil
}

// Scheme returns a scheme with client-go's built-in kinds and the kinds
// that addToScheme register.
func Scheme(addToScheme ...func(*runtime.Scheme) error) (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range append([]func(*runtime.Scheme) error{clientgoscheme.AddToScheme}, addToScheme...) {
		if err := add(s); err != nil {
			return nil, fmt.Errorf("build scheme: %w", err)
		}
	}
	return s, nil
}

// NewManager returns a manager for the controller name on cfg, with the
// cache, leader election, metrics and health endpoints the options select.
func NewManager(cfg *rest.Config, name string, scheme *runtime.Scheme, o Options) (ctrl.Manager, error) {
	cacheOpts, err := o.Watch.CacheOptions(o.Namespace)
	if err != nil {
		return nil, err
	}
	mo := ctrl.Options{
		Scheme:                  scheme,
		Cache:                   cacheOpts,
		Metrics:                 metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress:  o.HealthAddr,
		LeaderElectionNamespace: o.Namespace,
	}
	o.LeaderElection.ApplyTo(&mo, name+".sluice.dev")
	mgr, err := ctrl.NewManager(cfg, mo)
	if err != nil {
		return nil, fmt.Errorf("new manager: %w", err)
	}
	if o.HealthAddr != "0" {
		if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
			return nil, fmt.Errorf("add health check: %w", err)
		}
		if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
			return nil, fmt.Errorf("add ready check: %w", err)
		}
	}
	return mgr, nil
}

// NewRecorder returns the event recorder of the controller name: Kubernetes
// events through mgr, and the standard payload posted to EventsAddr when
// set (plain http:// only when the insecure-HTTP policy allows it).
func NewRecorder(mgr ctrl.Manager, name string, o Options) (*events.Recorder, error) {
	opts := []events.Option{events.WithScheme(mgr.GetScheme())}
	if o.EventsAddr != "" {
		opts = append(opts, events.WithWebhook(o.EventsAddr))
		opts = append(opts, o.InsecureHTTP.EventsOptions()...)
	}
	if pod := os.Getenv("POD_NAME"); pod != "" {
		opts = append(opts, events.WithReportingInstance(pod))
	}
	r, err := events.NewRecorder(mgr.GetEventRecorder(name), name, opts...)
	if err != nil {
		return nil, fmt.Errorf("new event recorder: %w", err)
	}
	return r, nil
}

// Env is what a controller's setup function gets.
type Env struct {
	// Options are the parsed shared flags.
	Options Options
	// Recorder records events for the controller.
	Recorder *events.Recorder
	// Logger is the controller's logger, also set as controller-runtime's.
	Logger logr.Logger
}

// Main runs a controller binary named name and returns its exit code. It
// parses os.Args[1:] with the shared flags plus those bind registers (bind
// may be nil), builds the logger, the rest.Config, a manager whose scheme
// holds the built-in kinds and those addToScheme register, and the event
// recorder; calls setup to add the reconcilers; then runs the manager until
// SIGINT or SIGTERM.
func Main(name string, addToScheme []func(*runtime.Scheme) error, bind func(*pflag.FlagSet),
	setup func(ctx context.Context, mgr ctrl.Manager, env Env) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, name, os.Args[1:], os.Stderr, addToScheme, bind, setup)
}

func run(ctx context.Context, name string, args []string, stderr io.Writer, addToScheme []func(*runtime.Scheme) error,
	bind func(*pflag.FlagSet), setup func(ctx context.Context, mgr ctrl.Manager, env Env) error) int {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	o.BindFlags(fs)
	if bind != nil {
		bind(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments %q\n", name, fs.Args())
		return ExitUsage
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	logger, err := o.Log.LoggerTo(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	ctrl.SetLogger(logger)
	logger = logger.WithName(name)
	if err := start(ctx, name, o, logger, addToScheme, setup); err != nil {
		logger.Error(err, "controller stopped")
		return ExitFailure
	}
	return ExitOK
}

func start(ctx context.Context, name string, o Options, logger logr.Logger, addToScheme []func(*runtime.Scheme) error,
	setup func(ctx context.Context, mgr ctrl.Manager, env Env) error) error {
	cfg, err := o.RESTConfig()
	if err != nil {
		return err
	}
	scheme, err := Scheme(addToScheme...)
	if err != nil {
		return err
	}
	mgr, err := NewManager(cfg, name, scheme, o)
	if err != nil {
		return err
	}
	rec, err := NewRecorder(mgr, name, o)
	if err != nil {
		return err
	}
	if err := setup(ctx, mgr, Env{Options: o, Recorder: rec, Logger: logger}); err != nil {
		return fmt.Errorf("set up %s: %w", name, err)
	}
	logger.Info("starting manager")
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("run manager: %w", err)
	}
	return nil
}
