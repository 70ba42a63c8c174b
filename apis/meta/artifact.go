package meta

import (
	"errors"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Artifact is the output of a source controller: a tarball (or other file)
// in the controller's storage, identified by the revision it was built from
// and the digest of its content. Consumers fetch it from URL and check it
// against Digest.
//
// +kubebuilder:object:generate=true
type Artifact struct {
	// Revision is the source revision the artifact was built from, in the
	// RFC-0005 form "<pointer>@<algorithm>:<hex>" (such as
	// "main@sha1:0123…") or "<algorithm>:<hex>", with algorithm sha1,
	// sha256, sha384 or sha512 and lowercase hex (meta.RevisionPattern).
	// +kubebuilder:validation:Pattern=`^([^\x00-\x20\x7f]+@)?(sha1:[0-9a-f]{40}|sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`
	// +required
	Revision string `json:"revision"`

	// Digest of the artifact's content, "<algorithm>:<hex>" with sha256,
	// sha384 or sha512 and lowercase hex (meta.DigestPattern).
	// +kubebuilder:validation:Pattern=`^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`
	// +required
	Digest string `json:"digest"`

	// URL the artifact is served from, reachable from within the cluster.
	// It changes when the artifact does.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +required
	URL string `json:"url"`

	// Path of the artifact relative to the root of the controller's
	// storage.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	Path string `json:"path"`

	// Size of the artifact in bytes. Nil (the default) means unknown.
	// +kubebuilder:validation:Minimum=0
	// +optional
	Size *int64 `json:"size,omitempty"`

	// LastUpdateTime is when the artifact last changed, which is when its
	// revision or digest last changed.
	// +required
	LastUpdateTime metav1.Time `json:"lastUpdateTime"`

	// Metadata holds free-form annotations of the artifact, such as the
	// OCI annotations of the image it came from. Nil (the default) means
	// none.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Validate checks the artifact's revision against [RevisionPattern], its
// digest against [DigestPattern] and that its size, when known, is not
// negative: the checks the CRD schema makes, so a controller can catch a bad
// artifact before the apiserver refuses the status update. It returns nil
// for a valid artifact; otherwise one *[ArtifactError] per bad field
// (joined with [errors.Join]), each wrapping [ErrInvalidRevision],
// [ErrInvalidDigest] or [ErrInvalidSize]. A nil artifact is valid: it means
// "no artifact yet".
func (in *Artifact) Validate() error {
	if in == nil {
		return nil
	}
	var errs []error
	if err := ValidateRevision(in.Revision); err != nil {
		errs = append(errs, err)
	}
	if err := ValidateDigest(in.Digest); err != nil {
		errs = append(errs, err)
	}
	if in.Size != nil && *in.Size < 0 {
		errs = append(errs, &ArtifactError{Field: "size", Reason: "negative", Err: ErrInvalidSize})
	}
	return errors.Join(errs...)
}

// HasRevision reports whether the artifact was built from revision, by
// exact comparison. A nil artifact has no revision.
func (in *Artifact) HasRevision(revision string) bool {
	return in != nil && in.Revision == revision
}

// HasDigest reports whether the artifact's content has digest, by exact
// comparison. A nil artifact has no digest.
func (in *Artifact) HasDigest(digest string) bool {
	return in != nil && in.Digest == digest
}

// ValidateRevision checks revision against the RFC-0005 grammar
// [RevisionPattern]: "<pointer>@<algorithm>:<hex>" or "<algorithm>:<hex>",
// split on the last '@', with algorithm sha1, sha256, sha384 or sha512 and
// exactly as many lowercase hex characters as the algorithm's digest has.
// It returns nil or an *[ArtifactError] wrapping [ErrInvalidRevision].
func ValidateRevision(revision string) error {
	if reason := revisionProblem(revision); reason != "" {
		return &ArtifactError{Field: "revision", Value: revision, Reason: reason, Err: ErrInvalidRevision}
	}
	return nil
}

// ValidateDigest checks digest against [DigestPattern]:
// "<algorithm>:<hex>" with algorithm sha256, sha384 or sha512 (not sha1,
// which is too weak for content addressing) and exactly as many lowercase
// hex characters as the algorithm's digest has. It returns nil or an
// *[ArtifactError] wrapping [ErrInvalidDigest].
func ValidateDigest(digest string) error {
	if reason := digestProblem(digest, false); reason != "" {
		return &ArtifactError{Field: "digest", Value: digest, Reason: reason, Err: ErrInvalidDigest}
	}
	return nil
}

func revisionProblem(revision string) string {
	if revision == "" {
		return "empty"
	}
	digest := revision
	if i := strings.LastIndexByte(revision, '@'); i >= 0 {
		pointer := revision[:i]
		digest = revision[i+1:]
		if pointer == "" {
			return "empty pointer before '@'"
		}
		for _, r := range pointer {
			if r <= 0x20 || r == 0x7f {
				return "pointer holds a space or control character"
			}
		}
	}
	return digestProblem(digest, true)
}

// digestProblem describes what is wrong with "<algorithm>:<hex>", or
// returns "" when nothing is.
func digestProblem(digest string, allowSHA1 bool) string {
	if digest == "" {
		return "empty"
	}
	algo, hex, ok := strings.Cut(digest, ":")
	if !ok {
		return "want <algorithm>:<hex>"
	}
	var want int
	switch algo {
	case "sha1":
		if !allowSHA1 {
			return "sha1 is not allowed, use sha256, sha384 or sha512"
		}
		want = 40
	case "sha256":
		want = 64
	case "sha384":
		want = 96
	case "sha512":
		want = 128
	default:
		return "unsupported algorithm " + strconv.Quote(algo)
	}
	if len(hex) != want {
		return algo + " wants " + strconv.Itoa(want) + " hex characters, got " + strconv.Itoa(len(hex))
	}
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "hex holds a character outside [0-9a-f]"
		}
	}
	return ""
}
