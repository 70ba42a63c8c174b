package git

// CheckoutReference says what a clone checks out. Its zero value checks out
// the remote's default branch (the one HEAD names).
//
// When several fields are set, the first of this precedence wins:
// Commit, Name, SemVer, Tag, Branch. The one exception is Commit with
// Branch: the branch is fetched and the commit checked out of it, and the
// resulting Commit's Reference names the branch.
type CheckoutReference struct {
	// Branch is a branch name without "refs/heads/". Default: the remote's
	// default branch.
	Branch string
	// Tag is a tag name without "refs/tags/". Annotated tags are peeled to
	// their commit. Default: none.
	Tag string
	// SemVer is a version range (see version.ParseConstraint); the highest
	// tag it accepts is checked out. Ties between tags that differ only in
	// spelling or build metadata are broken by version.SortTags's total
	// order, so the choice is deterministic. Default: none.
	SemVer string
	// Commit is a full commit hash. Default: none.
	Commit string
	// Name is any full reference name, such as "refs/pull/1/head" or
	// "refs/heads/main". Default: none.
	Name string
}

// CloneOptions configures a clone. Its zero value makes a shallow clone
// (depth 1) of the default branch.
type CloneOptions struct {
	// Reference says what to check out. Default: the default branch.
	Reference CheckoutReference
	// FullHistory fetches every ancestor instead of the single commit a
	// shallow clone fetches. Default false: shallow (depth 1), as
	// controllers only need the tree. Cloning by Commit is shallow only when
	// the server lets clients ask for any commit (allow-reachable-sha1-in-want
	// or allow-tip-sha1-in-want); otherwise the full history is fetched.
	FullHistory bool
	// LastObservedCommit is the hash (or an RFC-0005 or legacy revision,
	// such as "main@sha1:<hex>") of the commit a previous clone returned.
	// When the remote reference still points at it, the clone asks only for
	// the ref advertisement and returns a *NoChangeError; when it moved, the
	// clone proceeds (so the server sees the advertisement twice). Default
	// empty: always clone.
	LastObservedCommit string
}
