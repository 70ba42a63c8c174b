// Package version names versions of things a GitOps controller fetches:
// semantic versions of tags and the ranges that select them, RFC-0005
// revisions ("main@sha1:<hex>", "latest@sha256:<hex>") and content digests.
// It does no I/O apart from the digesting readers and writer, and imports
// nothing from Kubernetes, so the git and oci modules build on it.
//
// The calls a newcomer needs:
//
//	v, err := version.Parse("v2025.02.03-rc.1")           // loose, as tags are written
//	c, err := version.ParseConstraint(">=1.2.0 <2.0.0")  // ranges, "^1.2", "~1.2.3", "1.2.x", "||"
//	newest := version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true})
//	rev, err := version.ParseRevision("main@sha1:0123…") // or ParseAnyRevision for legacy forms
//	changed, err := version.RevisionChanged(status.Revision, rev.String())
//	r, err := version.NewVerifyingReader(body, "sha256:…") // io.Copy fails on a mismatch
//
// Picking one tag by a policy (semver, alphabetical, numerical, with a regex
// filter) lives in package version/policy; the binary's own version and
// User-Agent in package version/buildinfo.
//
// # Versions and ranges
//
// Parse accepts the tags people push ("v1.2", "2025.02.03-rc.1"); ParseStrict
// accepts SemVer 2.0.0 exactly. Both keep the input (Original) and can format
// the canonical form (String). Compare orders by SemVer precedence;
// CompareTotal breaks ties between versions that differ only in build
// metadata, then in spelling, so Sort and SortTags are deterministic whatever
// the input order. See Constraint for the range syntax and the pre-release
// rule.
//
// # Revisions
//
// A Revision is "<named pointer>@<algorithm>:<hex>" or "<algorithm>:<hex>",
// split on the last '@', with lowercase hex only. ParseAnyRevision and
// ConvertLegacyRevision also read the legacy forms "main/<sha>" and "<sha>".
// SameDigest and RevisionChanged compare content, not pointers.
//
// # Digests
//
// Content digests use github.com/opencontainers/go-digest with sha256, sha384
// and sha512. DigestingReader and DigestingWriter hash while streaming;
// VerifyingReader turns a mismatch into a read error.
//
// # Concurrency
//
// Version, Constraint, Revision and Info are immutable values, safe to share.
// The digesting readers and writer are not safe for concurrent use.
//
// # Errors
//
// Parsers return a *ParseError holding the input, a description of the
// expected syntax and a reason that wraps a sentinel:
//
//   - ErrInvalidVersion from Parse and ParseStrict;
//   - ErrInvalidConstraint from ParseConstraint;
//   - ErrInvalidRevision from ParseRevision, ParseAnyRevision,
//     ConvertLegacyRevision and RevisionChanged;
//   - ErrInvalidDigest from ParseDigest and NewVerifyingReader;
//   - ErrUnsupportedAlgorithm, next to one of the last two, for a well-formed
//     but unknown algorithm, and alone from NewDigestingReader and
//     NewDigestingWriter.
//
// Verification failures are a *DigestMismatchError wrapping
// ErrDigestMismatch; they are terminal, retrying the same content cannot
// succeed. Test with errors.Is and errors.As, never with the message text.
package version
