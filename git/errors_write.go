package git

import "errors"

// Sentinel errors of the writer verbs (init, open, switch branch, commit,
// push).
var (
	// ErrNotRepository means the client's directory holds no Git
	// repository. Do not retry.
	ErrNotRepository = errors.New("not a git repository")
	// ErrEmptyCommit means a commit would record no change: the staged tree
	// equals the parent's, or there is nothing to commit in a new
	// repository. It is often not a failure.
	ErrEmptyCommit = errors.New("nothing to commit")
	// ErrUncommittedChanges means a branch switch would overwrite changes
	// of the worktree that are not committed. Do not retry.
	ErrUncommittedChanges = errors.New("worktree has uncommitted changes")
	// ErrNonFastForward is in the chain of a push *OpError when the remote
	// reference is not an ancestor of what is pushed. Fetch and rebase, or
	// push with Force.
	ErrNonFastForward = errors.New("non-fast-forward update refused")
	// ErrPushRejected is in the chain of a push *OpError when the server
	// refused a reference update (a hook declined it, a protected branch).
	ErrPushRejected = errors.New("push rejected by the server")
	// ErrInvalidOptions means the options of a verb cannot work, such as a
	// commit without message or author, or a file path outside the
	// worktree. Do not retry.
	ErrInvalidOptions = errors.New("invalid options")
)
