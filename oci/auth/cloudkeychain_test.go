package auth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
)

func TestCloudKeychainRouting(t *testing.T) {
	g := NewWithT(t)
	aws := &countingProvider{cloud: auth.CloudAWS, id: "aws:r", ttl: time.Hour}
	gcp := &countingProvider{cloud: auth.CloudGCP, id: "gcp:r", ttl: time.Hour}
	kc, err := auth.NewCloudKeychain([]auth.Provider{aws, gcp},
		auth.WithHost("mirror.example.com:5000", auth.CloudAWS),
		auth.WithHost("gcr.io", auth.CloudNone))
	g.Expect(err).NotTo(HaveOccurred())

	for host, want := range map[string]auth.Provider{
		"123456789012.dkr.ecr.us-east-1.amazonaws.com": aws,
		"mirror.example.com:5000":                      aws,
		"europe-docker.pkg.dev":                        gcp,
	} {
		p, ok := kc.ProviderFor(host)
		g.Expect(ok).To(BeTrue(), host)
		g.Expect(p).To(BeIdenticalTo(want), host)
	}
	for _, host := range []string{"gcr.io", "sluice.azurecr.io", "ghcr.io", "mirror.example.com"} {
		_, ok := kc.ProviderFor(host)
		g.Expect(ok).To(BeFalse(), host)
		a, err := kc.Resolve(mustRegistry(t, host))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(a).To(BeIdenticalTo(authn.Anonymous), host)
	}

	a, err := kc.Resolve(mustRegistry(t, "mirror.example.com:5000"))
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := a.Authorization()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg).To(Equal(&authn.AuthConfig{Username: "user", Password: "token-1"}))
	g.Expect(aws.hosts).To(Equal([]string{"mirror.example.com:5000"}))
	for _, form := range []string{"%v", "%#v"} {
		g.Expect(fmt.Sprintf(form, a)).To(Equal("auth.cloud(aws, mirror.example.com:5000)"))
	}
}

func TestCloudKeychainAuthenticatorRefreshes(t *testing.T) {
	g := NewWithT(t)
	clk := newClock()
	cache, err := auth.NewCache(auth.WithClock(clk.Now))
	g.Expect(err).NotTo(HaveOccurred())
	p := &countingProvider{cloud: auth.CloudGCP, id: "gcp:r", ttl: time.Hour, now: clk.Now}
	kc, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithCache(cache))
	g.Expect(err).NotTo(HaveOccurred())
	a, err := kc.ResolveContext(t.Context(), mustRegistry(t, "gcr.io"))
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := authn.Authorization(t.Context(), a)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Password).To(Equal("token-1"))
	// A long transfer outlives the token: the same authenticator logs in
	// again.
	clk.Advance(time.Hour)
	cfg, err = authn.Authorization(t.Context(), a)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Password).To(Equal("token-2"))
}

func TestNewCloudKeychainInvalidOptions(t *testing.T) {
	p := &countingProvider{cloud: auth.CloudAWS, id: "aws:r"}
	tests := map[string]struct {
		providers []auth.Provider
		opts      []auth.CloudKeychainOption
	}{
		"nil provider":         {providers: []auth.Provider{nil}},
		"provider of no cloud": {providers: []auth.Provider{&countingProvider{cloud: auth.CloudNone}}},
		"two for one cloud":    {providers: []auth.Provider{p, &countingProvider{cloud: auth.CloudAWS, id: "aws:s"}}},
		"nil cache":            {providers: []auth.Provider{p}, opts: []auth.CloudKeychainOption{auth.WithCache(nil)}},
		"empty host":           {providers: []auth.Provider{p}, opts: []auth.CloudKeychainOption{auth.WithHost("", auth.CloudAWS)}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := auth.NewCloudKeychain(tt.providers, tt.opts...)
			NewWithT(t).Expect(err).To(MatchError(auth.ErrInvalidOption))
		})
	}
}
