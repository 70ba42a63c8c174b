// Package archive builds and extracts the gzip-compressed tar archives
// that OCI artifacts carry.
//
// Build writes a reproducible archive of a directory: the same tree gives
// the same bytes, and so the same digest, on any machine at any time.
// Paths can be left out with .gitignore-style patterns (see Matcher).
// Extract unpacks an archive from an untrusted source in one pass that
// decompresses, hashes and writes, and refuses whatever could write outside
// the target directory or exhaust the disk:
//
//	var buf bytes.Buffer
//	sum, err := archive.Build(ctx, "./manifests", &buf, archive.BuildOptions{IgnoreFile: ".sourceignore"})
//	...
//	_, err = archive.Extract(ctx, &buf, "/tmp/out", archive.ExtractOptions{Digest: sum.Digest})
//
// Compression uses github.com/klauspost/compress, several times faster than
// compress/gzip at decompression.
//
// # Symbolic links
//
// Symbolic links are kept when their target is relative and stays inside
// the tree, both by Build and by Extract; others are refused with
// ErrSymlinkEscape. Extract also refuses an entry whose path goes through a
// symbolic link of the archive, so no chain of links can lead outside.
//
// # Concurrency
//
// Build and Extract keep no shared state: calls may run concurrently on
// different directories. A Matcher is immutable and safe to share.
//
// # Errors
//
// Extract's refusals are an *ExtractError naming the entry and wrapping a
// sentinel (ErrPathTraversal, ErrAbsolutePath, ErrSymlinkEscape,
// ErrHardlinkEscape, ErrUnsupportedType, ErrDuplicateEntry, ErrTooLarge,
// ErrTooManyFiles, ErrInvalidArchive); ErrTargetNotEmpty and
// *version.DigestMismatchError report a bad target and a digest mismatch.
// All are terminal: retrying with the same input fails again. Test with
// errors.Is and errors.As.
package archive
