package git

// RemoteRef is one reference a remote advertises, as ls-remote lists it.
// It is plain data.
type RemoteRef struct {
	// Name is the full reference name, such as "HEAD", "refs/heads/main",
	// "refs/tags/v1.0.0" or "refs/pull/1/head".
	Name string
	// Hash is the object the reference points to: the tag object for an
	// annotated tag, the commit otherwise. For a symbolic reference it is
	// the hash of its target, zero when the target is not advertised.
	Hash Hash
	// Peeled is, for an annotated tag, the object the tag finally points to
	// (usually a commit). Zero for every other reference.
	Peeled Hash
	// Target is, for a symbolic reference such as HEAD, the full name of the
	// reference it points to ("refs/heads/main"). Empty otherwise, and for a
	// HEAD the server advertises without its symref capability.
	Target string
}

// Commit returns the object to check out for r: Peeled for an annotated
// tag, Hash otherwise.
func (r RemoteRef) Commit() Hash {
	if !r.Peeled.IsZero() {
		return r.Peeled
	}
	return r.Hash
}
