package auth

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
)

// CloudKeychain is a keychain that logs in to cloud registries with the
// workload's cloud identity: it picks the Provider of the registry host's
// cloud (see CloudOf, and WithHost for other hosts), gets credentials
// through its Cache and returns them as basic authentication. Registries
// of no configured cloud resolve to authn.Anonymous, so a CloudKeychain
// fits in a Chain with other sources. It is safe for concurrent use.
type CloudKeychain struct {
	providers map[Cloud]Provider
	hosts     map[string]Cloud
	cache     *Cache
}

// CloudKeychainOption configures a CloudKeychain created by
// NewCloudKeychain.
type CloudKeychainOption func(*cloudKeychainOptions)

// cloudKeychainOptions is the private state the options fill in.
type cloudKeychainOptions struct {
	cache    *Cache
	cacheSet bool
	hosts    map[string]Cloud
}

// WithCache makes the keychain keep credentials in cache, which the caller
// may share between keychains. cache must not be nil. Default: a Cache of
// the keychain's own, with DefaultRefreshMargin.
func WithCache(cache *Cache) CloudKeychainOption {
	return func(o *cloudKeychainOptions) {
		o.cache = cache
		o.cacheSet = true
	}
}

// WithHost routes the registry host registry (host[:port], such as a
// pull-through proxy or private endpoint) to cloud, ahead of the patterns
// of CloudOf. CloudNone turns cloud login off for a host that matches a
// pattern. WithHost may be given more than once. Default: CloudOf alone.
func WithHost(registry string, cloud Cloud) CloudKeychainOption {
	return func(o *cloudKeychainOptions) {
		if o.hosts == nil {
			o.hosts = map[string]Cloud{}
		}
		o.hosts[normalizeRegistry(registry)] = cloud
	}
}

// NewCloudKeychain returns a keychain logging in with providers, at most
// one per cloud. It returns an error wrapping ErrInvalidOption for a nil
// provider, a provider of CloudNone, two providers of one cloud, a nil
// cache or an empty WithHost host.
func NewCloudKeychain(providers []Provider, opts ...CloudKeychainOption) (*CloudKeychain, error) {
	o := &cloudKeychainOptions{}
	for _, opt := range opts {
		opt(o)
	}
	k := &CloudKeychain{providers: make(map[Cloud]Provider, len(providers)), hosts: o.hosts, cache: o.cache}
	for i, p := range providers {
		switch {
		case p == nil:
			return nil, fmt.Errorf("new cloud keychain: %w: provider %d is nil", ErrInvalidOption, i)
		case p.Cloud() == CloudNone:
			return nil, fmt.Errorf("new cloud keychain: %w: provider %d serves no cloud", ErrInvalidOption, i)
		}
		if _, dup := k.providers[p.Cloud()]; dup {
			return nil, fmt.Errorf("new cloud keychain: %w: two providers for %s", ErrInvalidOption, p.Cloud())
		}
		k.providers[p.Cloud()] = p
	}
	if _, empty := o.hosts[""]; empty {
		return nil, fmt.Errorf("new cloud keychain: %w: WithHost: empty host", ErrInvalidOption)
	}
	if o.cacheSet && o.cache == nil {
		return nil, fmt.Errorf("new cloud keychain: %w: WithCache: nil cache", ErrInvalidOption)
	}
	if k.cache == nil {
		cache, err := NewCache()
		if err != nil {
			return nil, err
		}
		k.cache = cache
	}
	return k, nil
}

// ProviderFor returns the provider that would log in to registry, and
// false if none would.
func (k *CloudKeychain) ProviderFor(registry string) (Provider, bool) {
	host := normalizeRegistry(registry)
	cloud, routed := k.hosts[host]
	if !routed {
		cloud = CloudOf(host)
	}
	p, ok := k.providers[cloud]
	return p, ok
}

// Resolve implements authn.Keychain with context.Background().
func (k *CloudKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain. It logs in (or reuses a
// cached credential) right away, so a failed login is reported here as a
// *LoginError. The authenticator it returns asks the cache again each time
// go-containerregistry needs credentials, so a long transfer gets fresh
// ones once the first expire.
func (k *CloudKeychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	host := normalizeRegistry(r.RegistryStr())
	p, ok := k.ProviderFor(host)
	if !ok {
		return authn.Anonymous, nil
	}
	a := &cloudAuthenticator{cache: k.cache, provider: p, key: cacheKey{provider: p.ID(), registry: host}}
	if _, err := a.credential(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// cloudAuthenticator hands out the credential of one provider and
// registry. It keeps the last credential it got: one the cache keeps is
// used while the cache would hand it out; one the cache does not keep
// (unknown expiry, or too short-lived) is used for this authenticator's
// life, or until it expires, instead of logging in on every request.
type cloudAuthenticator struct {
	cache    *Cache
	provider Provider
	key      cacheKey

	mu        sync.Mutex
	last      Credential
	cacheable bool
	has       bool
}

// credential returns the held credential while it is usable, else one
// from the cache (which may log in).
func (a *cloudAuthenticator) credential(ctx context.Context) (Credential, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.has && a.usable() {
		return a.last, nil
	}
	cred, err := a.cache.get(ctx, a.key, func(ctx context.Context) (Credential, error) {
		return a.provider.Login(ctx, a.key.registry)
	})
	if err != nil {
		return Credential{}, err
	}
	a.last, a.has, a.cacheable = cred, true, a.cache.fresh(cred)
	return cred, nil
}

// usable reports whether the held credential may still be used.
func (a *cloudAuthenticator) usable() bool {
	switch {
	case a.last.ExpiresAt.IsZero():
		return true
	case a.cacheable:
		return a.cache.fresh(a.last)
	default:
		return a.cache.now().Before(a.last.ExpiresAt)
	}
}

// Authorization implements authn.Authenticator with context.Background().
func (a *cloudAuthenticator) Authorization() (*authn.AuthConfig, error) {
	return a.AuthorizationContext(context.Background())
}

// AuthorizationContext implements authn.ContextAuthenticator.
func (a *cloudAuthenticator) AuthorizationContext(ctx context.Context) (*authn.AuthConfig, error) {
	cred, err := a.credential(ctx)
	if err != nil {
		return nil, err
	}
	return &authn.AuthConfig{Username: cred.Username, Password: cred.Password}, nil
}

// String names the provider and registry, never the credential.
func (a *cloudAuthenticator) String() string {
	return "auth.cloud(" + a.provider.Cloud().String() + ", " + a.key.registry + ")"
}

// GoString is String.
func (a *cloudAuthenticator) GoString() string { return a.String() }
