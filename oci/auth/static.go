package auth

import (
	"context"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Anonymous returns the authenticator that sends no credentials,
// go-containerregistry's authn.Anonymous. Keychains return it for a
// registry they have nothing for, so that a chain tries its next source.
func Anonymous() authn.Authenticator { return authn.Anonymous }

// Basic returns an authenticator sending username and password with HTTP
// basic authentication, or through the registry's token service when it
// answers with a Bearer challenge. Formatting it with fmt prints the user
// name and "[redacted]", never the password.
func Basic(username, password string) authn.Authenticator {
	return &static{kind: "basic", cfg: authn.AuthConfig{Username: username, Password: password}}
}

// Bearer returns an authenticator that sends token as a registry bearer
// token ("Authorization: Bearer <token>") without any token exchange, the
// "registrytoken" of a docker config. Formatting it with fmt prints
// "[redacted]", never the token.
func Bearer(token string) authn.Authenticator {
	return &static{kind: "bearer", cfg: authn.AuthConfig{RegistryToken: token}}
}

// static is an authenticator with fixed credentials that hides them from
// fmt.
type static struct {
	kind string
	cfg  authn.AuthConfig
}

// Authorization implements authn.Authenticator.
func (s *static) Authorization() (*authn.AuthConfig, error) {
	cfg := s.cfg
	return &cfg, nil
}

// AuthorizationContext implements authn.ContextAuthenticator.
func (s *static) AuthorizationContext(context.Context) (*authn.AuthConfig, error) {
	return s.Authorization()
}

// String prints the kind of credentials and the user name only.
func (s *static) String() string {
	if s.cfg.Username != "" {
		return "auth." + s.kind + "(" + s.cfg.Username + ":[redacted])"
	}
	return "auth." + s.kind + "([redacted])"
}

// GoString is String, so that %#v hides the credentials too.
func (s *static) GoString() string { return s.String() }

// ForRegistry returns a keychain that hands a to the registry host registry
// (such as "ghcr.io" or "127.0.0.1:5000"; a scheme or path is ignored, and
// "docker.io" means Docker Hub) and authn.Anonymous to every other one.
func ForRegistry(registry string, a authn.Authenticator) authn.Keychain {
	return &forRegistry{host: normalizeRegistry(registry), auth: a}
}

// ForAnyRegistry returns a keychain that hands a to every registry, the
// meaning of a Secret with a bare user name and password.
func ForAnyRegistry(a authn.Authenticator) authn.Keychain {
	return &forRegistry{auth: a}
}

// forRegistry is the keychain of ForRegistry; an empty host matches all.
type forRegistry struct {
	host string
	auth authn.Authenticator
}

// Resolve implements authn.Keychain.
func (k *forRegistry) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if k.host == "" || normalizeRegistry(r.RegistryStr()) == k.host {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

// ResolveContext implements authn.ContextKeychain.
func (k *forRegistry) ResolveContext(_ context.Context, r authn.Resource) (authn.Authenticator, error) {
	return k.Resolve(r)
}

// Chain returns a keychain that asks each keychain in order and returns the
// first authenticator other than authn.Anonymous, or authn.Anonymous when
// none has credentials. An error from a keychain stops the chain and is
// returned as is: a broken source is reported rather than skipped. The
// context given to ResolveContext reaches keychains implementing
// authn.ContextKeychain. Nil keychains are skipped.
func Chain(keychains ...authn.Keychain) authn.Keychain {
	kept := make([]authn.Keychain, 0, len(keychains))
	for _, k := range keychains {
		if k != nil {
			kept = append(kept, k)
		}
	}
	return chain(kept)
}

// chain is the keychain of Chain.
type chain []authn.Keychain

// Resolve implements authn.Keychain.
func (c chain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return c.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain.
func (c chain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	for _, k := range c {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a, err := authn.Resolve(ctx, k, r)
		if err != nil {
			return nil, err
		}
		if a != nil && a != authn.Anonymous {
			return a, nil
		}
	}
	return authn.Anonymous, nil
}

// normalizeRegistry turns a docker config key or a registry name into the
// host[:port] go-containerregistry reports: scheme and path dropped,
// lowercased, Docker Hub's aliases folded into "index.docker.io".
func normalizeRegistry(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	switch s {
	case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "index.docker.io"
	}
	return s
}
