// Package oci pushes and pulls OCI artifacts for GitOps controllers: the
// Kubernetes manifests of a directory packed as a Flux-compatible artifact,
// and Helm charts stored in OCI registries. It builds on
// go-containerregistry and imports nothing from Kubernetes: a controller
// turns its Secrets into an authn.Authenticator or authn.Keychain and hands
// them over.
//
// The calls a newcomer needs:
//
//	c, err := oci.New(oci.WithAuth(&authn.Basic{Username: u, Password: p}))
//	pushed, err := c.Push(ctx, "ghcr.io/org/app:v1.2.3", "./deploy", oci.PushOptions{
//		Source:   "https://github.com/org/app",
//		Revision: "main@sha1:0123…",
//	})
//	fmt.Println(pushed.Revision) // v1.2.3@sha256:…
//	pulled, err := c.Pull(ctx, "ghcr.io/org/app:v1.2.3", "/tmp/app", oci.PullOptions{})
//
// # Artifacts
//
// Push packs a directory with package oci/archive: a reproducible
// tar+gzip, so the same files give the same digest, with .gitignore-style
// ignore patterns. The manifest has config media type FluxConfigMediaType,
// one layer of FluxContentMediaType and the annotations
// org.opencontainers.image.source, .revision and .created plus custom
// ones; Flux's source-controller reads it like one made by the flux CLI.
// PushArchive pushes an archive built beforehand.
//
// Pull fetches a manifest by tag or digest (from an index, the first
// manifest with an accepted layer), picks the layer by media type (Flux
// content, Helm chart, OCI or Docker gzip layer by default), and extracts
// it with archive.Extract while hashing it, in one pass: the target
// directory receives the content only if the digest matched and no entry
// tried to escape it. Fetch hands over the layer itself, such as a Helm
// chart's .tgz. Revisions are in the RFC-0005 form of package version:
// "v1.2.3@sha256:<hex>".
//
// Tag, Copy, Delete, ListTags (semver and regexp filters, cosign's
// "sha256-<hex>.sig/.att/.sbom" tags hidden), Resolve and ResolveSemver
// complete the verbs.
//
// # Transport security
//
// Plain HTTP is refused unless WithInsecureHTTP is given (Flux RFC-0004),
// even for localhost, which go-containerregistry would otherwise reach over
// HTTP: the refusal is ErrInsecureHTTP. WithRootCAs and
// WithClientCertificate set custom certificate authorities and mutual TLS.
// Requests answered with 429 or 5xx are retried with exponential backoff,
// honouring Retry-After, bounded by the call's context (WithRetry).
//
// # Progress
//
// PushOptions.Progress and PullOptions.Progress receive the bytes of the
// layer done so far and the total, for a CLI's progress bar.
//
// # Concurrency
//
// A Client is safe for concurrent use and meant to be shared; it keeps no
// state between calls. Concurrent pulls must use different directories.
//
// # Errors
//
// Verbs wrap their errors with the operation and the reference ("pull
// host/repo:tag: …"). Test them with errors.Is against ErrInvalidOption,
// ErrInvalidReference, ErrInsecureHTTP, ErrUnauthorized, ErrNotFound,
// ErrNoMatchingLayer, ErrNoMatchingTag, version.ErrDigestMismatch and the
// refusals of package oci/archive (errors.As with *archive.ExtractError
// names the entry). Digests a registry sends (manifest and layer digests,
// index entries, the Docker-Content-Digest header of Resolve) go through
// version.ParseDigest: a malformed one is a *version.ParseError wrapping
// version.ErrInvalidDigest. Other registry failures keep
// go-containerregistry's *transport.Error in the chain. Credentials never
// appear in errors. ErrInsecureHTTP, ErrInvalidOption, ErrInvalidReference,
// digest mismatches, malformed digests and archive refusals are terminal:
// retrying cannot help.
package oci
