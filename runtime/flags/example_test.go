package flags_test

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"

	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
)

func Example() {
	var (
		clientOpts flags.ClientOptions
		access     flags.AccessOptions
		insecure   flags.InsecureHTTPOptions
	)
	gates := flags.NewFeatureGates(map[string]bool{"CacheSecrets": false})

	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	clientOpts.BindFlags(fs)
	access.BindFlags(fs)
	insecure.BindFlags(fs)
	gates.BindFlags(fs)
	err := fs.Parse([]string{"--kube-api-qps=20", "--no-cross-namespace-refs", "--feature-gates=CacheSecrets=true"})
	if err != nil {
		fmt.Println(err)
		return
	}

	cfg := &rest.Config{}
	clientOpts.ApplyTo(cfg)
	fmt.Println(cfg.QPS, cfg.Burst)
	fmt.Println(acl.New(access.AuthorizerOptions()...).CrossNamespaceRefsAllowed())
	fmt.Println(gates.Enabled("CacheSecrets"))
	fmt.Println(insecure.CheckURL("http://example.com/repo.git"))
	// Output:
	// 20 300
	// false
	// true
	// check url http://example.com/repo.git: plain HTTP not allowed (set --insecure-allow-http to allow)
}

func ExampleFeatureGates_Set() {
	gates := flags.NewFeatureGates(map[string]bool{"CacheSecrets": false})
	err := gates.Set("Teleport=true")
	fmt.Println(errors.Is(err, flags.ErrUnknownFeatureGate))
	fmt.Println(err)
	// Output:
	// true
	// parse --feature-gates: gate "Teleport": unknown feature gate
}

func ExampleInsecureHTTPOptions_EventsOptions() {
	var insecure flags.InsecureHTTPOptions
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	insecure.BindFlags(fs)
	newRecorder := func() error {
		opts := append([]events.Option{events.WithWebhook("http://receiver.notify.svc/hook")}, insecure.EventsOptions()...)
		_, err := events.NewRecorder(nil, "my-controller", opts...)
		return err
	}

	// By default the policy blocks a plain-HTTP webhook address.
	if err := fs.Parse(nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(errors.Is(newRecorder(), events.ErrInsecureAddress))

	// --insecure-allow-http allows it.
	if err := fs.Parse([]string{"--insecure-allow-http"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(newRecorder())
	// Output:
	// true
	// <nil>
}
