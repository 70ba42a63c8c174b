// Package storage keeps the artifacts of the example source controller on disk
// and serves them over HTTP.
//
// An artifact is a reproducible tar.gz of a directory (built with
// oci/archive.Build, so the same tree always gives the same digest), stored at
// "<kind>/<namespace>/<name>/<digest-hex>.tar.gz" under the storage root and
// served at the same path under the advertised base URL:
//
//	s, err := storage.New("/data", "http://source-controller.flux-system.svc")
//	a, err := s.Store(ctx, storage.Object{Kind: "GitRepository", Namespace: "default", Name: "app"},
//		checkoutDir, "main@sha1:0123…", storage.StoreOptions{})
//	// a.URL is http://source-controller.flux-system.svc/gitrepository/default/app/<hex>.tar.gz
//	http.ListenAndServe(":9090", s.Handler())
//
// Consumers download and unpack an artifact with [Fetch], which verifies the
// digest while extracting and refuses archives that would write outside the
// target directory.
//
// Files are written atomically (a temporary file renamed into place), so the
// handler never serves a partial artifact. Store keeps the newest
// [DefaultRetention] artifacts of an object and removes older ones; Remove
// deletes all of an object's artifacts when the object goes away.
//
// # Concurrency
//
// A Storage is safe for concurrent use for different objects. Calls for the
// same object must not overlap, which controller-runtime guarantees for the
// reconciles of one object. The handler may serve while artifacts are stored.
//
// # Errors
//
// New returns errors wrapping ErrInvalidOption. Store and Remove return
// ErrInvalidObject for an object key that cannot be a path, and the archive
// or file system error otherwise. Fetch returns ErrInvalidArtifact for an
// artifact without URL or digest, a *FetchError wrapping ErrUnexpectedStatus
// for a non-200 answer, and the errors of archive.Extract (among them a
// *version.DigestMismatchError) for bad content.
package storage
