// Command notification-controller is the example notification controller:
// it forwards the events Sluice controllers post to the Providers their
// Alerts select, and serves the webhooks of Receivers, which request the
// reconciliation of their targets.
//
// Usage:
//
//	go run ./examples/cmd/notification-controller --kubeconfig ~/.kube/config \
//		--events-addr-listen :9090 --receiver-addr :9292
//
// Run it with --help for the flags.
package main

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
)

const name = "notification-controller"

func main() {
	var (
		eventsAddr, receiverAddr string
		rateLimit                time.Duration
	)
	bind := func(fs *pflag.FlagSet) {
		fs.StringVar(&eventsAddr, "events-addr-listen", ":9090", "address the event server listens on for the events controllers post")
		fs.StringVar(&receiverAddr, "receiver-addr", ":9292", "address the Receiver webhooks are served on")
		fs.DurationVar(&rateLimit, "rate-limit-window", notification.DefaultRateLimitWindow, "how long an identical event about an object is not forwarded again through the same Alert (negative: no rate limiting)")
	}
	setup := func(_ context.Context, mgr ctrl.Manager, env app.Env) error {
		o := env.Options
		c, reader := mgr.GetClient(), mgr.GetAPIReader()
		noCross, insecure := o.Access.NoCrossNamespaceRefs, o.InsecureHTTP.Allow
		for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{
			&notification.ProviderReconciler{Client: c, APIReader: reader, EventRecorder: env.Recorder, AllowInsecureHTTP: insecure},
			&notification.AlertReconciler{Client: c, EventRecorder: env.Recorder, NoCrossNamespaceRefs: noCross},
			&notification.ReceiverReconciler{Client: c, APIReader: reader, EventRecorder: env.Recorder, NoCrossNamespaceRefs: noCross},
		} {
			if err := r.SetupWithManager(mgr); err != nil {
				return err
			}
		}
		events := &notification.EventServer{
			Client: c, APIReader: reader, RateLimitWindow: rateLimit,
			NoCrossNamespaceRefs: noCross, AllowInsecureHTTP: insecure, Logger: env.Logger.WithName("events"),
		}
		receivers := &notification.ReceiverServer{
			Client: c, APIReader: reader, NoCrossNamespaceRefs: noCross, Logger: env.Logger.WithName("receiver"),
		}
		for srvName, srv := range map[string]*http.Server{
			"events":   {Addr: eventsAddr, Handler: events, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second},
			"receiver": {Addr: receiverAddr, Handler: receivers, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second},
		} {
			timeout := 30 * time.Second
			if err := mgr.Add(&manager.Server{Name: srvName, Server: srv, ShutdownTimeout: &timeout}); err != nil {
				return err
			}
		}
		return nil
	}
	os.Exit(app.Main(name, []func(*runtime.Scheme) error{notificationv1.AddToScheme}, bind, setup))
}
