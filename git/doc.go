// Package git holds the domain types, contracts and errors of Sluice's Git
// client: hashes, commits, signatures and tags, the options of a clone, and
// the authentication options a controller builds from a Secret's data. It does
// no I/O; the go-git implementation lives in package git/gogit. It never
// imports Kubernetes packages: a controller turns a Secret into a
// map[string][]byte and hands that to NewAuthOptions.
//
// The calls a newcomer needs:
//
//	auth, err := git.NewAuthOptions("https://example.com/org/app.git", secret.Data)
//	c, err := gogit.NewClient(dir, auth)
//	commit, err := c.Clone(ctx, "https://example.com/org/app.git", git.CloneOptions{
//		Reference: git.CheckoutReference{Branch: "main"},
//	})
//	status.Revision = commit.Revision().String() // "main@sha1:<hex>"
//
// Writing and signing: gogit's Client also inits, switches branches,
// commits (CommitOptions; SigningKey signs with an OpenPGP or SSH key) and
// pushes (PushOptions). Package git/signature signs raw objects and
// verifies commit and tag signatures against OpenPGP key rings and SSH
// allowed-signers lists, returning a VerifiedSignature:
//
//	commit, err := c.Commit(ctx, git.CommitOptions{Message: "update", Author: bot,
//		Files: files, SigningKey: &git.SigningKey{PrivateKey: key}})
//	err = c.Push(ctx, git.PushOptions{})
//	verified, err := c.VerifyCommit(ctx, "", verifier) // verified.KeyID
//
// # Object ids and revisions
//
// Object ids and revisions are built on package version, so git and oci
// share one model: Hash.Algorithm is version.SHA1 or version.SHA256,
// Hash.String is version's "<algorithm>:<hex>", ParseHash reads its input
// with version.ParseAnyRevision, and Commit.Revision returns a
// version.Revision, the type oci returns for artifacts. Hex is lowercase
// everywhere, as Git prints it: uppercase input (a hash, a
// CheckoutReference.Commit, a LastObservedCommit) is rejected by git exactly
// as version rejects it, never silently lowered.
//
// # Secure defaults
//
// Credentials are never sent over plain http:// unless
// AuthOptions.AllowInsecureHTTP is set, SSH always checks the server against
// known_hosts, and unsupported or local transports are refused.
//
// # Concurrency
//
// Every type here is plain data. AuthOptions is read, never written, by
// clients, so one value may be shared by concurrent clients as long as
// nobody modifies it.
//
// # Errors
//
// Errors wrap the sentinels of this package (ErrRepositoryNotFound,
// ErrReferenceNotFound, ErrAuthenticationFailed, ErrUnsupportedScheme,
// ErrInsecureHTTP, ErrUnknownHost, ErrHostKeyMismatch, ErrInvalidURL,
// ErrInvalidAuth, ErrInvalidHash, ErrTargetNotEmpty, ErrUnreachable, ErrNoChange) inside
// typed errors (*URLError, *AuthError, *HostKeyError, *OpError,
// *NoChangeError). Writing adds ErrNotRepository, ErrEmptyCommit,
// ErrUncommittedChanges, ErrNonFastForward, ErrPushRejected and
// ErrInvalidOptions; signing and verification add ErrInvalidKey and, in a
// *VerificationError, ErrNoSignature, ErrNoMatchingKey,
// ErrMalformedSignature and ErrInvalidSignature. Test them with errors.Is
// and errors.As. Error messages never contain secret values: URLs are
// redacted, auth errors name the offending key, not its content, and key
// errors hold no key material.
package git
