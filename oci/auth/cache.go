package auth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultRefreshMargin is how long before expiry a Cache stops handing out
// a credential and logs in again, unless WithRefreshMargin says otherwise.
const DefaultRefreshMargin = 5 * time.Minute

// Cache keeps cloud registry credentials until shortly before they expire,
// keyed by provider ID and registry host. Logins for one key are done one at
// a time: callers asking for the same key while a login runs wait for its
// result instead of logging in again. It is safe for concurrent use; the
// caller owns it (there is no process-wide cache) and may share one Cache
// between keychains. Create it with NewCache.
type Cache struct {
	now    func() time.Time
	margin time.Duration

	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

// CacheOption configures a Cache created by NewCache.
type CacheOption func(*Cache)

// WithRefreshMargin sets how long before a credential's expiry the cache
// logs in again. A credential whose remaining lifetime is at most margin
// when it is issued is used once and not kept. margin must not be
// negative. Default: DefaultRefreshMargin.
func WithRefreshMargin(margin time.Duration) CacheOption {
	return func(c *Cache) { c.margin = margin }
}

// WithClock sets the function the cache reads the time from, for tests.
// now must not be nil. Default: time.Now.
func WithClock(now func() time.Time) CacheOption {
	return func(c *Cache) { c.now = now }
}

// NewCache returns an empty Cache. It returns an error wrapping
// ErrInvalidOption for a negative margin or a nil clock.
func NewCache(opts ...CacheOption) (*Cache, error) {
	c := &Cache{now: time.Now, margin: DefaultRefreshMargin, entries: map[cacheKey]*cacheEntry{}}
	for _, opt := range opts {
		opt(c)
	}
	if c.margin < 0 {
		return nil, fmt.Errorf("new cache: %w: negative refresh margin", ErrInvalidOption)
	}
	if c.now == nil {
		return nil, fmt.Errorf("new cache: %w: nil clock", ErrInvalidOption)
	}
	return c, nil
}

// cacheKey identifies one cached credential.
type cacheKey struct {
	provider string
	registry string
}

// cacheEntry holds one credential; sem (capacity 1) serializes its logins.
type cacheEntry struct {
	sem   chan struct{}
	cred  Credential
	valid bool
}

// Forget drops the credential cached for provider ID and registry host, so
// that the next keychain resolution logs in again, for example after the
// registry refused it. Authenticators already handed out keep the
// credential they hold until it is due for refresh.
func (c *Cache) Forget(providerID, registry string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, cacheKey{providerID, normalizeRegistry(registry)})
}

// get returns the cached credential for key if it is fresh, else calls
// login and keeps its result. Waiting for another caller's login ends with
// ctx.
func (c *Cache) get(ctx context.Context, key cacheKey, login func(context.Context) (Credential, error)) (Credential, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{sem: make(chan struct{}, 1)}
		c.entries[key] = e
	}
	c.mu.Unlock()

	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return Credential{}, ctx.Err()
	}
	defer func() { <-e.sem }()

	if e.valid && c.fresh(e.cred) {
		return e.cred, nil
	}
	cred, err := login(ctx)
	if err != nil {
		e.valid = false
		return Credential{}, err
	}
	e.cred, e.valid = cred, c.fresh(cred)
	return cred, nil
}

// fresh reports whether cred has more than the margin left to live.
func (c *Cache) fresh(cred Credential) bool {
	return !cred.ExpiresAt.IsZero() && cred.ExpiresAt.Sub(c.now()) > c.margin
}
