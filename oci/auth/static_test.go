package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
)

func TestStaticAuthenticators(t *testing.T) {
	g := NewWithT(t)
	g.Expect(auth.Anonymous()).To(BeIdenticalTo(authn.Anonymous))

	basic, err := authn.Authorization(t.Context(), auth.Basic("user", "pa55word"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(basic).To(Equal(&authn.AuthConfig{Username: "user", Password: "pa55word"}))

	bearer, err := auth.Bearer("t0ken").Authorization()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(bearer).To(Equal(&authn.AuthConfig{RegistryToken: "t0ken"}))

	for _, form := range []string{"%v", "%+v", "%#v", "%s"} {
		g.Expect(fmt.Sprintf(form, auth.Basic("user", "pa55word"))).To(Equal("auth.basic(user:[redacted])"))
		g.Expect(fmt.Sprintf(form, auth.Bearer("t0ken"))).To(Equal("auth.bearer([redacted])"))
	}
}

func TestForRegistry(t *testing.T) {
	g := NewWithT(t)
	a := auth.Basic("u", "p")
	kc := auth.ForRegistry("https://Registry.Example.com:5000/v2/", a)
	got, err := kc.Resolve(mustRegistry(t, "registry.example.com:5000"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(a))
	got, err = kc.Resolve(mustRegistry(t, "registry.example.com"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(authn.Anonymous))

	hub := auth.ForRegistry("docker.io", a)
	got, err = hub.Resolve(mustRegistry(t, "index.docker.io"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(a))

	everywhere := auth.ForAnyRegistry(a)
	got, err = everywhere.Resolve(mustRegistry(t, "quay.io"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(a))
}

// markerKey marks a context.
type markerKey struct{}

// failingKeychain always fails.
type failingKeychain struct{ err error }

func (f failingKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return nil, f.err }

// contextKeychain records the context it was given.
type contextKeychain struct{ got *context.Context }

func (c contextKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.Anonymous, nil
}

func (c contextKeychain) ResolveContext(ctx context.Context, _ authn.Resource) (authn.Authenticator, error) {
	*c.got = ctx
	return authn.Anonymous, nil
}

func TestChain(t *testing.T) {
	g := NewWithT(t)
	first := auth.Basic("first", "1")
	second := auth.Basic("second", "2")
	boom := errors.New("boom")
	var seen context.Context
	kc := auth.Chain(nil, contextKeychain{&seen}, auth.ForRegistry("a.io", first), auth.ForAnyRegistry(second), failingKeychain{boom})

	ctx := context.WithValue(t.Context(), markerKey{}, "marker")
	got, err := authn.Resolve(ctx, kc, mustRegistry(t, "a.io"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(first))
	g.Expect(seen).To(BeIdenticalTo(ctx))

	got, err = kc.Resolve(mustRegistry(t, "b.io"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(second))

	// An error stops the chain.
	_, err = auth.Chain(failingKeychain{boom}, auth.ForAnyRegistry(second)).Resolve(mustRegistry(t, "b.io"))
	g.Expect(err).To(MatchError(boom))

	// Nothing found: anonymous.
	got, err = auth.Chain(auth.ForRegistry("a.io", first)).Resolve(mustRegistry(t, "b.io"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeIdenticalTo(authn.Anonymous))

	// A done context stops the chain.
	cctx, cancel := contextCancelled(t)
	defer cancel()
	_, err = authn.Resolve(cctx, auth.Chain(auth.ForAnyRegistry(second)), mustRegistry(t, "b.io"))
	g.Expect(err).To(MatchError(context.Canceled))
}
