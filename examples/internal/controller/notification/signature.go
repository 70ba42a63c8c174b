package notification

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Signature headers.
const (
	// SignatureHeader carries the HMAC-SHA256 of a body as
	// "sha256=<hex>": on events forwarded to generic-hmac Providers and on
	// calls to generic-hmac Receivers.
	SignatureHeader = "X-Signature"

	// GitHubSignatureHeader carries GitHub's HMAC-SHA256 of a webhook body,
	// in the same "sha256=<hex>" form.
	GitHubSignatureHeader = "X-Hub-Signature-256"

	// GitHubEventHeader names the GitHub event of a webhook call; "ping"
	// is answered without requesting a reconciliation.
	GitHubEventHeader = "X-GitHub-Event"

	// signaturePrefix starts every signature header value.
	signaturePrefix = "sha256="
)

// Sign returns the signature header value of body under key:
// "sha256=" followed by the lowercase hex HMAC-SHA256.
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a signature header value of the form
// "sha256=<hex>" against the HMAC-SHA256 of body under key, in constant
// time. It returns nil on a match, an error wrapping [ErrMissingSignature]
// for an empty header, [ErrMalformedSignature] for another form, and
// [ErrSignatureMismatch] otherwise. The errors never quote the header.
func VerifySignature(key, body []byte, header string) error {
	if header == "" {
		return fmt.Errorf("verify signature: %w", ErrMissingSignature)
	}
	algo, digest, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(algo, "sha256") || len(digest) != 2*sha256.Size {
		return fmt.Errorf("verify signature: %w", ErrMalformedSignature)
	}
	got, err := hex.DecodeString(digest)
	if err != nil {
		return fmt.Errorf("verify signature: %w", ErrMalformedSignature)
	}
	m := hmac.New(sha256.New, key)
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return fmt.Errorf("verify signature: %w", ErrSignatureMismatch)
	}
	return nil
}

// WebhookPath returns the path a Receiver is served on:
// "/hook/" followed by the hex SHA-256 of token, name and namespace
// concatenated. The path does not reveal the token, and changes when the
// token does.
func WebhookPath(token, name, namespace string) string {
	sum := sha256.Sum256([]byte(token + name + namespace))
	return WebhookPathPrefix + hex.EncodeToString(sum[:])
}

// WebhookPathPrefix starts every Receiver's webhook path.
const WebhookPathPrefix = "/hook/"

// validWebhookPath reports whether p has the form WebhookPath returns.
func validWebhookPath(p string) bool {
	h, ok := strings.CutPrefix(p, WebhookPathPrefix)
	if !ok || len(h) != 2*sha256.Size {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
