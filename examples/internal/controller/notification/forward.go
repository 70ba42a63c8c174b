package notification

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
)

// target is where and how a Provider delivers.
type target struct {
	typ     notificationv1.ProviderType
	address *url.URL
	token   []byte
	roots   *x509.CertPool // nil: the client's own
	timeout time.Duration
	// secret names the Secret the address came from, empty when it came
	// from the spec.
	secret string
}

// redacted is the address safe to show: without user information, query
// and fragment, and not at all when it came from a Secret (its path may
// hold a token).
func (t *target) redacted() string {
	if t.secret != "" {
		return "the address in secret " + t.secret
	}
	return redactURL(t.address)
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery, c.ForceQuery = "", false
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// resolveProvider reads p's Secrets and checks its configuration. Errors
// wrap [ErrInvalidConfig] for a problem in p's spec, [ErrInvalidSecret] for
// a problem in a Secret's content, or the reader's error (NotFound for a
// missing Secret). They never quote a secret value or a secret address.
func resolveProvider(ctx context.Context, reader client.Reader, p *notificationv1.Provider, allowInsecure bool) (*target, error) {
	t := &target{typ: p.Spec.Type, timeout: DefaultProviderTimeout}
	if t.typ == "" {
		t.typ = notificationv1.ProviderGeneric
	}
	if t.typ != notificationv1.ProviderGeneric && t.typ != notificationv1.ProviderGenericHMAC {
		return nil, fmt.Errorf("provider type %q: %w", t.typ, ErrInvalidConfig)
	}
	if p.Spec.Timeout != nil {
		if p.Spec.Timeout.Duration <= 0 {
			return nil, fmt.Errorf("provider timeout must be positive: %w", ErrInvalidConfig)
		}
		t.timeout = p.Spec.Timeout.Duration
	}
	address, fromSecret := p.Spec.Address, false
	if p.Spec.SecretRef != nil {
		data, err := secretData(ctx, reader, p.Namespace, p.Spec.SecretRef.Name)
		if err != nil {
			return nil, err
		}
		if a := bytes.TrimSpace(data[notificationv1.ProviderAddressKey]); len(a) > 0 {
			address, fromSecret = string(a), true
		}
		t.token = bytes.TrimSpace(data[notificationv1.ProviderTokenKey])
	}
	sentinel := ErrInvalidConfig
	if fromSecret {
		sentinel = ErrInvalidSecret
		t.secret = p.Spec.SecretRef.Name
	}
	if address == "" {
		return nil, fmt.Errorf("provider has no address (spec.address or the secret's %q key): %w", notificationv1.ProviderAddressKey, ErrInvalidConfig)
	}
	u, err := url.Parse(address)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		// The address is not quoted: it may carry credentials.
		return nil, fmt.Errorf("provider address is not an absolute http(s) URL: %w", sentinel)
	}
	t.address = u
	if u.Scheme == "http" && !allowInsecure {
		return nil, fmt.Errorf("provider address %s: %w: %w", t.redacted(), ErrInsecureAddress, sentinel)
	}
	if t.typ == notificationv1.ProviderGenericHMAC && len(t.token) == 0 {
		if p.Spec.SecretRef == nil {
			return nil, fmt.Errorf("generic-hmac provider needs spec.secretRef with a %q key: %w", notificationv1.ProviderTokenKey, ErrInvalidConfig)
		}
		return nil, fmt.Errorf("secret %s has no %q key for generic-hmac: %w", p.Spec.SecretRef.Name, notificationv1.ProviderTokenKey, ErrInvalidSecret)
	}
	if p.Spec.CertSecretRef != nil {
		data, err := secretData(ctx, reader, p.Namespace, p.Spec.CertSecretRef.Name)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data[notificationv1.CACertKey]) {
			return nil, fmt.Errorf("secret %s: %q holds no PEM certificate: %w", p.Spec.CertSecretRef.Name, notificationv1.CACertKey, ErrInvalidSecret)
		}
		t.roots = pool
	}
	return t, nil
}

// secretData reads a Secret's data.
func secretData(ctx context.Context, reader client.Reader, namespace, name string) (map[string][]byte, error) {
	var s corev1.Secret
	if err := reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &s); err != nil {
		return nil, fmt.Errorf("read secret %s/%s: %w", namespace, name, err)
	}
	return s.Data, nil
}

// forward delivers e through alert to its Provider. It reports false with
// no error when the Provider is missing, suspended or misconfigured (the
// Alert's and Provider's conditions say so), and an error wrapping
// [ErrDelivery] when the Provider did not take the event or could not be
// read.
func (s *EventServer) forward(ctx context.Context, alert *notificationv1.Alert, e *event.Event) (bool, error) {
	var p notificationv1.Provider
	key := client.ObjectKey{Namespace: alert.Namespace, Name: alert.Spec.ProviderRef.Name}
	if err := s.Client.Get(ctx, key, &p); err != nil {
		if apierrors.IsNotFound(err) {
			s.Logger.Info("alert skipped: provider not found", "alert", client.ObjectKeyFromObject(alert).String(), "provider", key.Name)
			return false, nil
		}
		return false, fmt.Errorf("get provider %s: %w: %w", key.Name, ErrDelivery, err)
	}
	if p.Spec.Suspend {
		return false, nil
	}
	t, err := resolveProvider(ctx, s.apiReader(), &p, s.AllowInsecureHTTP)
	switch {
	case errors.Is(err, ErrInvalidConfig), errors.Is(err, ErrInvalidSecret), apierrors.IsNotFound(err):
		s.Logger.Info("alert skipped: provider unusable", "alert", client.ObjectKeyFromObject(alert).String(), "provider", key.Name, "error", err.Error())
		return false, nil
	case err != nil:
		return false, fmt.Errorf("provider %s: %w: %w", key.Name, ErrDelivery, err)
	}
	body, err := json.Marshal(payloadFor(alert, e))
	if err != nil {
		return false, fmt.Errorf("encode event: %w", err)
	}
	if err := s.post(ctx, t, body); err != nil {
		return false, fmt.Errorf("provider %s: %w", key.Name, err)
	}
	return true, nil
}

// payloadFor returns the event forwarded through alert: e with the Alert's
// eventMetadata and summary added to its metadata (e's own keys win).
func payloadFor(alert *notificationv1.Alert, e *event.Event) event.Event {
	out := *e
	md := make(map[string]string, len(alert.Spec.EventMetadata)+len(e.Metadata)+1)
	maps.Copy(md, alert.Spec.EventMetadata)
	if alert.Spec.Summary != "" {
		md[notificationv1.SummaryMetadataKey] = alert.Spec.Summary
	}
	maps.Copy(md, e.Metadata)
	if len(md) > 0 {
		out.Metadata = md
	}
	return out
}

// post sends body to t with retries on network errors, timeouts and 408,
// 429 and 5xx answers.
func (s *EventServer) post(ctx context.Context, t *target, body []byte) error {
	hc, done := s.httpClient(t)
	defer done()
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	wait := s.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	var last error
	for attempt := 1; ; attempt++ {
		status, err := attemptPost(ctx, hc, t, body)
		if err == nil {
			return nil
		}
		last = err
		retryable := status == 0 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
		if attempt >= attempts || !retryable || ctx.Err() != nil {
			return fmt.Errorf("post event to %s: gave up after %d attempt(s): %w: %w", t.redacted(), attempt, ErrDelivery, last)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("post event to %s: %w: %w (last failure: %w)", t.redacted(), ErrDelivery, ctx.Err(), last)
		case <-timer.C:
		}
		wait *= 2
	}
}

// attemptPost posts body once and returns the answer's status, 0 when
// none came.
func attemptPost(ctx context.Context, hc *http.Client, t *target, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.address.String(), bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("build request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sluice-notification-controller")
	switch t.typ {
	case notificationv1.ProviderGenericHMAC:
		req.Header.Set(SignatureHeader, Sign(t.token, body))
	default:
		if len(t.token) > 0 {
			req.Header.Set("Authorization", "Bearer "+string(t.token))
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error quotes the full URL, which may hold credentials.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return 0, fmt.Errorf("send: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, fmt.Errorf("provider answered %d", resp.StatusCode)
}

// httpClient returns the client for t: s.HTTPClient, or the default one,
// with t's CA roots when it has some, and a function that releases the
// connections of a transport made for the occasion.
func (s *EventServer) httpClient(t *target) (*http.Client, func()) {
	base := s.HTTPClient
	if base == nil {
		base = &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if t.roots == nil {
		return base, func() {}
	}
	var tr *http.Transport
	if bt, ok := base.Transport.(*http.Transport); ok {
		tr = bt.Clone()
	} else if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else {
		tr = &http.Transport{}
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = t.roots
	c := *base
	c.Transport = tr
	return &c, tr.CloseIdleConnections
}

// ValidateProvider checks that p can deliver: its type, its address (from
// the spec or its Secret) as an absolute http(s) URL, https unless
// allowInsecureHTTP, the token generic-hmac needs and the CA certificates
// of certSecretRef. It reads p's Secrets through reader. Errors wrap
// [ErrInvalidConfig] for a problem in the spec, [ErrInvalidSecret] for one
// in a Secret's content (both with [ErrInsecureAddress] for a refused
// plain http:// address), or the reader's error (NotFound for a missing
// Secret); they never quote a secret.
func ValidateProvider(ctx context.Context, reader client.Reader, p *notificationv1.Provider, allowInsecureHTTP bool) error {
	_, err := resolveProvider(ctx, reader, p, allowInsecureHTTP)
	return err
}
