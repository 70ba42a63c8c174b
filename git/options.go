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
	// Commit is a full commit hash as ParseHash reads it: 40 (SHA-1) or 64
	// (SHA-256) lowercase hex digits, or "sha1:<hex>"/"sha256:<hex>".
	// Uppercase is rejected. Default: none.
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
	// such as "main@sha1:<hex>", as version.ParseAnyRevision reads it, its
	// pointer ignored) of the commit a previous clone returned.
	// When the remote reference still points at it, the clone asks only for
	// the ref advertisement and returns a *NoChangeError; when it moved, the
	// clone proceeds (so the server sees the advertisement twice). Default
	// empty: always clone.
	LastObservedCommit string
	// SparseDirectories, when set, writes only these directories (and
	// everything below them) to disk: slash-separated paths relative to the
	// repository root, such as "deploy/prod". Other paths, files at the root
	// included, stay in the index marked skip-worktree, as in a non-cone
	// `git sparse-checkout`. A directory the commit does not have checks out
	// nothing. Paths that are absolute, empty, "." or climb out of the
	// repository ("..") make the clone fail with ErrInvalidOptions before
	// any I/O. Default empty: the whole tree.
	SparseDirectories []string
	// RecurseSubmodules checks out the submodules the commit records, and
	// theirs, down to SubmoduleDepth levels, each at the commit its parent
	// records (shallow unless FullHistory is set). A submodule on the same
	// scheme, host and port as its parent (relative URLs included) gets the
	// parent's credentials; any other submodule is fetched anonymously (an
	// HTTPS one still trusts the parent's ca.crt, which is no secret), so
	// credentials never reach another host, and an SSH submodule on another
	// host fails with ErrInvalidAuth, as it has no known_hosts. Submodule
	// URLs follow the client's transport policy (no ext::, no file:// unless
	// allowed). With SparseDirectories, only submodules inside them are
	// checked out. Default false: submodule directories stay empty.
	RecurseSubmodules bool
	// SubmoduleDepth bounds RecurseSubmodules: 1 checks out the commit's own
	// submodules only, 2 also theirs, and so on. Default 0:
	// DefaultSubmoduleDepth.
	SubmoduleDepth int
}

// DefaultSubmoduleDepth is how many levels of submodules a clone with
// CloneOptions.RecurseSubmodules checks out when SubmoduleDepth is zero.
const DefaultSubmoduleDepth = 5

// LsRemoteOptions configures an ls-remote. Its zero value lists every
// reference the remote advertises.
type LsRemoteOptions struct {
	// Prefixes keeps only the references whose full name starts with one of
	// them, such as "refs/tags/" or "refs/heads/main"; list "HEAD" to keep
	// HEAD. Default empty: every reference.
	Prefixes []string
}
