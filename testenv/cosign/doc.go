// Package cosign runs the real cosign CLI (sigstore/cosign v3) offline for
// Sluice's tests: generate a key pair, sign an image in a testenv registry,
// verify it. Signing uses keys on disk only: no transparency log, no
// Fulcio, no TUF, so tests need no network besides the registry.
//
// The one call a newcomer needs, with a registry from testenv/registry:
//
//	c, err := cosign.New(ctx, cosign.Options{}) // builds cosign on first use
//	keys, err := c.GenerateKeyPair(ctx, t.TempDir())
//	err = c.Sign(ctx, "127.0.0.1:PORT/app@sha256:...", keys.PrivateKey,
//		cosign.SignOptions{Registry: cosign.FromRegistry(reg)})
//
// Sign writes what cosign v3 writes by default: a sigstore bundle (v0.3,
// DSSE) as an OCI 1.1 referrer of the image, or, on a registry without the
// referrers API (CNCF Distribution), an image index under the tag
// "sha256-<hex>". SignOptions.Legacy writes cosign's older simple-signing
// payload under the tag "sha256-<hex>.sig" instead.
//
// # Binary
//
// [Binary] builds cosign once per user with `go install
// github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3` into
// $XDG_CACHE_HOME/sluice/testenv/cosign-v3.1.3 (about 4 minutes cold on 2
// cores), under a file lock shared by concurrent test binaries, into a
// temporary folder renamed into place when complete. Later calls return at
// once. The command github.com/sluice-dev/sluice/testenv/cmd/assets -tools
// prebuilds it.
//
// # Credentials
//
// Registry credentials reach cosign through a temporary DOCKER_CONFIG
// written for each command and removed after it, never through its
// arguments; the registry's CA goes through --registry-cacert.
//
// # Concurrency
//
// A [CLI] is safe for concurrent use: each command gets its own temporary
// DOCKER_CONFIG and TUF_ROOT. [Binary] is safe to call from several
// goroutines and processes at once.
//
// # Errors
//
// [Binary] and [New] return a [*BuildError] wrapping [ErrGoNotFound],
// [ErrModuleDownload] or [ErrBuildFailed]. The CLI's methods return a
// [*CommandError] wrapping [ErrCommandFailed], with the tail of cosign's
// output, when cosign exits with an error.
package cosign
