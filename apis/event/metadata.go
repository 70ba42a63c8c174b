package event

import "strings"

// MetadataPrefix starts every standard metadata key, and is the default
// annotation prefix that [MetadataFromAnnotations] callers use: an
// annotation "event.sluice.dev/team: payments" on an object travels as
// metadata of every event about it.
const MetadataPrefix = "event.sluice.dev/"

// Standard metadata keys. Receivers may rely on their meaning; controllers
// set the ones that apply.
const (
	// MetadataRevision is the source revision the event is about, in the
	// RFC-0005 form "main@sha1:<hex>".
	MetadataRevision = MetadataPrefix + "revision"

	// MetadataDigest is the digest of the artifact the event is about, for
	// example "sha256:<hex>".
	MetadataDigest = MetadataPrefix + "digest"

	// MetadataOriginRevision is the revision of the original source an
	// artifact was built from, when it differs from MetadataRevision (for
	// example the Git commit behind an OCI artifact).
	MetadataOriginRevision = MetadataPrefix + "origin-revision"

	// MetadataToken is an opaque value chosen by the controller that lets a
	// receiver group or de-duplicate related events.
	MetadataToken = MetadataPrefix + "token"

	// MetadataCommitStatus tells a receiver that reports Git commit statuses
	// what to do with the event; the value "update" asks it to update the
	// status of the commit in MetadataRevision.
	MetadataCommitStatus = MetadataPrefix + "commit-status"
)

// MetadataFromAnnotations returns the annotations whose key starts with
// prefix, keys unchanged, or nil when there are none. An empty prefix
// selects nothing. The input map is not modified.
func MetadataFromAnnotations(annotations map[string]string, prefix string) map[string]string {
	if prefix == "" {
		return nil
	}
	var out map[string]string
	for k, v := range annotations {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[k] = v
	}
	return out
}
