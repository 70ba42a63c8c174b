package git

import (
	"strings"
	"time"

	"github.com/sluice-dev/sluice/version"
)

// Signature is the identity and time of an author, committer or tagger.
type Signature struct {
	// Name is the person's name.
	Name string
	// Email is the person's email address.
	Email string
	// When is the time of the action, in the time zone Git recorded.
	When time.Time
}

// Commit is a Git commit as a clone observed it. It is plain data.
type Commit struct {
	// Hash is the commit's object id.
	Hash Hash
	// Reference is the full reference that led to the commit, such as
	// "refs/heads/main", "refs/tags/v1.2.3" or "refs/pull/1/head". Empty when
	// the commit was asked for by hash alone.
	Reference string
	// Author wrote the change.
	Author Signature
	// Committer recorded the commit.
	Committer Signature
	// Message is the full commit message.
	Message string
	// Parents are the object ids of the parent commits, empty for a root
	// commit. A shallow clone still knows them, without their content.
	Parents []Hash
}

// Revision returns the commit's RFC-0005 revision, the same type oci
// returns for artifacts: the short name of its reference ("main" for
// refs/heads/main, "v1.2.3" for refs/tags/v1.2.3, any other reference
// verbatim, such as "refs/pull/1/head") as the pointer, and the hash, so
// that its String is "main@sha1:<hex>". Without a reference it is the hash
// alone, "sha1:<hex>". The zero Commit has the zero Revision, whose String
// is "". Compare revisions with version.Revision.SameDigest or
// version.RevisionChanged, which ignore the pointer.
func (c Commit) Revision() version.Revision {
	return c.Hash.revision(ShortReference(c.Reference))
}

// ShortReference returns the name RFC-0005 revisions use for a full
// reference: branches and tags lose "refs/heads/" and "refs/tags/", other
// references are kept as they are.
func ShortReference(ref string) string {
	for _, p := range []string{"refs/heads/", "refs/tags/"} {
		if s, ok := strings.CutPrefix(ref, p); ok {
			return s
		}
	}
	return ref
}

// Tag is a Git tag.
type Tag struct {
	// Name is the tag name, without "refs/tags/".
	Name string
	// Hash is the id of the tag object for an annotated tag, or of the
	// tagged object for a lightweight one.
	Hash Hash
	// Target is the id of the commit the tag finally points to (the tag
	// peeled). Equal to Hash for a lightweight tag of a commit.
	Target Hash
	// Tagger is the tag's author, nil for a lightweight tag.
	Tagger *Signature
	// Message is the message of an annotated tag, empty for a lightweight one.
	Message string
}

// IsAnnotated reports whether t is an annotated tag.
func (t Tag) IsAnnotated() bool { return t.Tagger != nil || t.Hash != t.Target }
