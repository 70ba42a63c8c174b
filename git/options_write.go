package git

// InitOptions configures the creation of a new repository. Its zero value
// makes a repository whose HEAD names the branch "main".
type InitOptions struct {
	// Branch is the branch HEAD names, without "refs/heads/". Default
	// "main".
	Branch string
}

// SwitchBranchOptions configures a branch switch. Its zero value switches
// to the local branch when it exists, else creates it from the remote
// branch of the same name when the remote has one, else from HEAD.
type SwitchBranchOptions struct {
	// NoFetch creates a missing branch from HEAD without asking the remote
	// whether it has that branch. Default false: the remote is asked.
	NoFetch bool
}

// CommitOptions configures a commit. Message and Author are required; the
// zero value of every other field means its documented default.
type CommitOptions struct {
	// Message is the commit message. Required.
	Message string
	// Author wrote the change. Name and Email are required; When defaults
	// to the current time.
	Author Signature
	// Committer records the commit. Default nil: the Author.
	Committer *Signature
	// Files are written to the worktree (slash-separated path relative to
	// the repository root, to content) and staged. Paths must stay inside
	// the worktree and out of .git.
	Files map[string][]byte
	// Delete removes these files or directories (recursively) from the
	// worktree and the index. Missing paths are ignored. Deletions apply
	// before Files.
	Delete []string
	// SigningKey signs the commit. Default nil: unsigned.
	SigningKey *SigningKey
}

// PushOptions configures a push to the "origin" remote. Its zero value
// pushes the current branch to the remote branch of the same name,
// refusing a non-fast-forward update.
type PushOptions struct {
	// RefSpecs are the refspecs to push, as "refs/heads/a:refs/heads/b".
	// Default: the current branch to the branch of the same name.
	RefSpecs []string
	// Force lets the push update remote references that are not ancestors
	// of what is pushed. Default false.
	Force bool
	// Options are push options (git push -o) for the server's hooks, sent
	// as "key=value". Servers that do not advertise push-options do not
	// receive them. Default none.
	Options map[string]string
}
