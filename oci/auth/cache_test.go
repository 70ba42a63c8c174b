package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
)

// countingProvider is a Provider test double that counts logins and hands
// out "token-<n>" passwords valid for ttl after now().
type countingProvider struct {
	cloud  auth.Cloud
	id     string
	ttl    time.Duration
	now    func() time.Time
	err    error
	gate   chan struct{} // when set, logins wait for it
	logins atomic.Int64
	mu     sync.Mutex
	hosts  []string
}

func (p *countingProvider) Cloud() auth.Cloud { return p.cloud }
func (p *countingProvider) ID() string        { return p.id }

func (p *countingProvider) Login(ctx context.Context, registry string) (auth.Credential, error) {
	n := p.logins.Add(1)
	p.mu.Lock()
	p.hosts = append(p.hosts, registry)
	p.mu.Unlock()
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return auth.Credential{}, ctx.Err()
		}
	}
	if p.err != nil {
		return auth.Credential{}, auth.NewLoginError(p.cloud.String(), registry, auth.StageIdentity, p.err, "secret-token")
	}
	now := time.Now
	if p.now != nil {
		now = p.now
	}
	var exp time.Time
	if p.ttl != 0 {
		exp = now().Add(p.ttl)
	}
	return auth.Credential{Username: "user", Password: fmt.Sprintf("token-%d", n), ExpiresAt: exp}, nil
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// password resolves host with kc and returns the password.
func password(t *testing.T, kc authn.Keychain, host string) (string, error) {
	t.Helper()
	a, err := authn.Resolve(t.Context(), kc, mustRegistry(t, host))
	if err != nil {
		return "", err
	}
	cfg, err := authn.Authorization(t.Context(), a)
	if err != nil {
		return "", err
	}
	return cfg.Password, nil
}

func TestCacheKeepsUntilNearExpiry(t *testing.T) {
	g := NewWithT(t)
	clk := newClock()
	cache, err := auth.NewCache(auth.WithClock(clk.Now), auth.WithRefreshMargin(5*time.Minute))
	g.Expect(err).NotTo(HaveOccurred())
	p := &countingProvider{cloud: auth.CloudGCP, id: "gcp:test", ttl: time.Hour, now: clk.Now}
	kc, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithCache(cache))
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(password(t, kc, "gcr.io")).To(Equal("token-1"))
	clk.Advance(54 * time.Minute) // 6 minutes left
	g.Expect(password(t, kc, "gcr.io")).To(Equal("token-1"))
	clk.Advance(time.Minute + time.Second) // under 5 minutes left
	g.Expect(password(t, kc, "gcr.io")).To(Equal("token-2"))

	// Another registry is another key.
	g.Expect(password(t, kc, "eu.gcr.io")).To(Equal("token-3"))
	g.Expect(password(t, kc, "gcr.io")).To(Equal("token-2"))

	// Forget drops one entry.
	cache.Forget("gcp:test", "gcr.io")
	g.Expect(password(t, kc, "gcr.io")).To(Equal("token-4"))
	g.Expect(password(t, kc, "eu.gcr.io")).To(Equal("token-3"))
}

func TestCacheSharedBetweenKeychainsIsKeyedByProvider(t *testing.T) {
	g := NewWithT(t)
	cache, err := auth.NewCache()
	g.Expect(err).NotTo(HaveOccurred())
	a := &countingProvider{cloud: auth.CloudGCP, id: "gcp:a", ttl: time.Hour}
	b := &countingProvider{cloud: auth.CloudGCP, id: "gcp:b", ttl: time.Hour}
	ka, err := auth.NewCloudKeychain([]auth.Provider{a}, auth.WithCache(cache))
	g.Expect(err).NotTo(HaveOccurred())
	kb, err := auth.NewCloudKeychain([]auth.Provider{b}, auth.WithCache(cache))
	g.Expect(err).NotTo(HaveOccurred())
	for range 3 {
		_, err := password(t, ka, "gcr.io")
		g.Expect(err).NotTo(HaveOccurred())
		_, err = password(t, kb, "gcr.io")
		g.Expect(err).NotTo(HaveOccurred())
	}
	g.Expect(a.logins.Load()).To(BeEquivalentTo(1))
	g.Expect(b.logins.Load()).To(BeEquivalentTo(1))
}

func TestCacheDoesNotKeepShortLivedOrUnknownExpiry(t *testing.T) {
	for name, ttl := range map[string]time.Duration{"unknown expiry": 0, "inside margin": time.Minute} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			p := &countingProvider{cloud: auth.CloudAWS, id: "aws:x", ttl: ttl}
			kc, err := auth.NewCloudKeychain([]auth.Provider{p})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(password(t, kc, "123456789012.dkr.ecr.us-east-1.amazonaws.com")).To(Equal("token-1"))
			g.Expect(password(t, kc, "123456789012.dkr.ecr.us-east-1.amazonaws.com")).To(Equal("token-2"))
		})
	}
}

func TestCacheDoesNotKeepErrors(t *testing.T) {
	g := NewWithT(t)
	p := &countingProvider{cloud: auth.CloudAzure, id: "azure:x", ttl: time.Hour, err: auth.ErrUnexpectedResponse}
	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = password(t, kc, "a.azurecr.io")
	var le *auth.LoginError
	g.Expect(errors.As(err, &le)).To(BeTrue())
	g.Expect(err.Error()).NotTo(ContainSubstring("secret-token"))
	p.err = nil
	g.Expect(password(t, kc, "a.azurecr.io")).To(Equal("token-2"))
}

func TestCacheLogsInOnceForConcurrentCallers(t *testing.T) {
	g := NewWithT(t)
	p := &countingProvider{cloud: auth.CloudGCP, id: "gcp:x", ttl: time.Hour, gate: make(chan struct{})}
	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
	g.Expect(err).NotTo(HaveOccurred())
	var wg sync.WaitGroup
	results := make([]string, 16)
	for i := range results {
		wg.Go(func() {
			results[i], _ = password(t, kc, "gcr.io")
		})
	}
	g.Eventually(p.logins.Load).Should(BeEquivalentTo(1))
	close(p.gate)
	wg.Wait()
	g.Expect(p.logins.Load()).To(BeEquivalentTo(1))
	for _, r := range results {
		g.Expect(r).To(Equal("token-1"))
	}
}

func TestCacheWaitEndsWithContext(t *testing.T) {
	g := NewWithT(t)
	p := &countingProvider{cloud: auth.CloudGCP, id: "gcp:x", ttl: time.Hour, gate: make(chan struct{})}
	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
	g.Expect(err).NotTo(HaveOccurred())
	done := make(chan error, 1)
	go func() { _, err := password(t, kc, "gcr.io"); done <- err }()
	g.Eventually(p.logins.Load).Should(BeEquivalentTo(1))

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = kc.ResolveContext(ctx, mustRegistry(t, "gcr.io"))
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
	close(p.gate)
	g.Expect(<-done).To(Succeed())
}

func TestNewCacheInvalidOptions(t *testing.T) {
	g := NewWithT(t)
	_, err := auth.NewCache(auth.WithRefreshMargin(-time.Second))
	g.Expect(err).To(MatchError(auth.ErrInvalidOption))
	_, err = auth.NewCache(auth.WithClock(nil))
	g.Expect(err).To(MatchError(auth.ErrInvalidOption))
}
