package verify

import (
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Option configures a [Verifier] built by [New]. Options are applied in
// order; every default and every conflict check lives in [New].
type Option func(*options)

// options is the private state the Option functions fill in.
type options struct {
	publicKeys     [][]byte
	trustedRoot    []byte
	identities     []Identity
	remote         []remote.Option
	ignoreUnsigned bool
}

// Identity is a keyless signer the [Verifier] trusts: the subject
// alternative name of a Fulcio-style certificate (an email address, or a URI
// such as a CI workflow) and the OIDC issuer recorded in it. Each pair needs
// an exact value, a regular expression, or both (then both must match).
type Identity struct {
	// Subject must equal the certificate's subject alternative name.
	// Default: empty, not checked.
	Subject string
	// SubjectRegexp is a Go regular expression the subject alternative
	// name must match. Like cosign's --certificate-identity-regexp it is
	// not anchored: write ^...$ to match the whole value. Default: empty,
	// not checked.
	SubjectRegexp string
	// Issuer must equal the certificate's OIDC issuer, such as
	// "https://token.actions.githubusercontent.com". Default: empty, not
	// checked.
	Issuer string
	// IssuerRegexp is a Go regular expression the OIDC issuer must match,
	// not anchored. Default: empty, not checked.
	IssuerRegexp string
}

// WithPublicKeys selects key-based verification with the given
// PEM-encoded public keys ("PUBLIC KEY" blocks, PKIX: ECDSA, RSA or
// Ed25519, as written by `cosign generate-key-pair`). Each argument may
// hold several PEM blocks. A signature passes if any key verifies it.
// WithPublicKeys may be given more than once; keys accumulate. It cannot be
// combined with [WithTrustedRoot]. Default: no keys.
func WithPublicKeys(pemKeys ...[]byte) Option {
	return func(o *options) { o.publicKeys = append(o.publicKeys, pemKeys...) }
}

// WithTrustedRoot selects keyless verification against a sigstore trusted
// root: the JSON document (media type
// "application/vnd.dev.sigstore.trustedroot+json;version=0.1") that lists
// the certificate authorities, transparency logs and timestamp authorities
// to trust, such as the trusted_root.json of Sigstore's public-good TUF
// repository or of a private Sigstore deployment. Keyless mode needs at
// least one identity from [WithIdentities]. It cannot be combined with
// [WithPublicKeys]. A later WithTrustedRoot replaces an earlier one.
// Default: none.
func WithTrustedRoot(trustedRootJSON []byte) Option {
	return func(o *options) { o.trustedRoot = trustedRootJSON }
}

// WithIdentities adds keyless identities; a signature passes if its
// certificate matches any of them. Only valid with [WithTrustedRoot].
// Default: none.
func WithIdentities(identities ...Identity) Option {
	return func(o *options) { o.identities = append(o.identities, identities...) }
}

// WithRemoteOptions passes go-containerregistry remote options to every
// registry request the [Verifier] makes: remote.WithAuth or
// remote.WithAuthFromKeychain for credentials, remote.WithTransport for TLS
// settings, remote.WithUserAgent, and so on. The Verifier adds
// remote.WithContext itself, with the ctx given to [Verifier.Verify], after
// these. WithRemoteOptions may be given more than once; options accumulate.
// Default: none (anonymous access, http.DefaultTransport).
func WithRemoteOptions(opts ...remote.Option) Option {
	return func(o *options) { o.remote = append(o.remote, opts...) }
}

// WithIgnoreUnsigned makes [Verifier.Verify] report [StatusIgnored], without
// an error, for an artifact that has no signature at all. An artifact whose
// signatures all fail is still [StatusNotVerified]. Default: an unsigned
// artifact fails with [ErrNoSignature].
func WithIgnoreUnsigned() Option {
	return func(o *options) { o.ignoreUnsigned = true }
}
