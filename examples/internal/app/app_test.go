package app

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/sluice-dev/sluice/runtime/flags"
)

func TestRunRefusesBadCommandLines(t *testing.T) {
	setup := func(context.Context, ctrl.Manager, Env) error {
		t.Error("setup must not run for a bad command line")
		return nil
	}
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"unknown flag", []string{"--no-such-flag"}, "unknown flag: --no-such-flag", ExitUsage},
		{"stray argument", []string{"extra"}, `unexpected arguments ["extra"]`, ExitUsage},
		{"plain-HTTP events address", []string{"--events-addr", "http://receiver.local/"}, "--events-addr", ExitUsage},
		{"bad log level", []string{"--log-level", "loud"}, "log-level", ExitUsage},
		{"zero QPS", []string{"--kube-api-qps", "0"}, "kube-api-qps", ExitUsage},
		{"help", []string{"--help"}, "--no-cross-namespace-refs", ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			var stderr bytes.Buffer
			code := run(t.Context(), "test-controller", tt.args, &stderr, nil, nil, setup)
			g.Expect(code).To(Equal(tt.code))
			g.Expect(stderr.String()).To(ContainSubstring(tt.want))
		})
	}
}

func TestRunReportsAnUnusableKubeconfig(t *testing.T) {
	g := NewWithT(t)
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	var stderr bytes.Buffer
	called := false
	code := run(t.Context(), "test-controller", []string{"--kubeconfig", missing, "--log-encoding", "console"}, &stderr, nil,
		func(fs *pflag.FlagSet) { fs.Bool("extra", false, "a controller's own flag") },
		func(context.Context, ctrl.Manager, Env) error { called = true; return nil })
	g.Expect(code).To(Equal(ExitFailure))
	g.Expect(called).To(BeFalse())
	g.Expect(stderr.String()).To(ContainSubstring("load kubeconfig"))
}

func TestBindFlagsDefaults(t *testing.T) {
	g := NewWithT(t)
	t.Setenv("POD_NAMESPACE", "sluice-system")
	var o Options
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	o.BindFlags(fs)
	g.Expect(fs.Parse(nil)).To(Succeed())
	g.Expect(o.Namespace).To(Equal("sluice-system"))
	g.Expect(o.MetricsAddr).To(Equal(":8080"))
	g.Expect(o.HealthAddr).To(Equal(":9440"))
	g.Expect(o.Log.Encoding).To(Equal(flags.LogEncodingJSON))
	g.Expect(o.Watch.AllNamespaces).To(BeTrue())
	g.Expect(o.Validate()).To(Succeed())
}

func TestValidateRefusesPlainHTTPProxy(t *testing.T) {
	g := NewWithT(t)
	t.Setenv("HTTPS_PROXY", "http://proxy.local:3128")
	var o Options
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	o.BindFlags(fs)
	g.Expect(fs.Parse(nil)).To(Succeed())
	err := o.Validate()
	g.Expect(errors.Is(err, flags.ErrInsecureHTTP)).To(BeTrue(), "got %v", err)
	g.Expect(fs.Parse([]string{"--insecure-allow-http"})).To(Succeed())
	g.Expect(o.Validate()).To(Succeed())
}

func TestSchemeHoldsBuiltinsAndExtras(t *testing.T) {
	g := NewWithT(t)
	s, err := Scheme()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.IsGroupRegistered("apps")).To(BeTrue())
	_, err = Scheme(func(*runtime.Scheme) error { return errors.New("boom") })
	g.Expect(err).To(MatchError(ContainSubstring("build scheme: boom")))
}
