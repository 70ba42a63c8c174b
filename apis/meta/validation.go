package meta

// Validation patterns and limits shared by every Sluice CRD. Each constant
// is spelled, character for character, in the kubebuilder markers of the
// fields that use it (as a raw-string marker argument, Pattern=`...`), so a
// controller can check a value in Go with exactly the grammar the
// apiserver enforces. The marker guide in the package documentation says
// which constant goes on which kind of field.
const (
	// NamePattern is the DNS-1123 subdomain grammar of Kubernetes object
	// names: lowercase alphanumerics, '-' and '.', starting and ending with
	// an alphanumeric. Use it with MinLength=1 and MaxLength=[NameMaxLength].
	NamePattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`

	// NameMaxLength is the longest DNS-1123 subdomain: 253 characters.
	NameMaxLength = 253

	// NamespacePattern is the DNS-1123 label grammar of namespace names:
	// lowercase alphanumerics and '-', starting and ending with an
	// alphanumeric. Use it with MinLength=1 and
	// MaxLength=[NamespaceMaxLength].
	NamespacePattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`

	// NamespaceMaxLength is the longest DNS-1123 label: 63 characters.
	NamespaceMaxLength = 63

	// SecretKeyPattern is the grammar of a key in a Secret's or a
	// ConfigMap's data: alphanumerics, '-', '_' and '.'. Use it with
	// MinLength=1 and MaxLength=[SecretKeyMaxLength].
	SecretKeyPattern = `^[-._a-zA-Z0-9]+$` //nolint:gosec // a pattern, not a credential

	// SecretKeyMaxLength is the longest Secret data key: 253 characters.
	SecretKeyMaxLength = 253

	// DurationPattern is the grammar of a duration field (a
	// metav1.Duration, serialized as a string): one or more
	// <number><unit> terms with units ms, s, m or h, such as "30s",
	// "1m30s" or "1.5h". It accepts everything metav1.Duration prints
	// for whole milliseconds and above, and rejects negative durations,
	// bare numbers and the µs and ns units.
	DurationPattern = `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`

	// DigestPattern is the grammar of an [Artifact] digest:
	// <algorithm>:<lowercase hex>, with algorithm sha256 (64 hex
	// characters), sha384 (96) or sha512 (128). [ValidateDigest] checks
	// the same grammar in Go.
	DigestPattern = `^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`

	// RevisionPattern is the grammar of an [Artifact] revision (RFC-0005):
	// an optional <pointer>@ prefix followed by <algorithm>:<lowercase
	// hex>, with algorithm sha1 (40 hex characters), sha256 (64), sha384
	// (96) or sha512 (128). The pointer (a branch, a tag, a ref) is any
	// non-empty text without spaces or control characters; it may itself
	// hold '@', since the revision splits on the last one.
	// [ValidateRevision] checks the same grammar in Go.
	RevisionPattern = `^([^\x00-\x20\x7f]+@)?(sha1:[0-9a-f]{40}|sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`
)
