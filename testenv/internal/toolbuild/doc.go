// Package toolbuild builds command-line tools that testenv's packages run
// (kube-apiserver and etcd, the cosign CLI, a Gitea server) from source
// through the Go module proxy, once per user, and caches them.
//
// [Provision] returns a cache folder holding a tool's binaries. The first
// caller builds it under a file lock into a temporary folder that is
// renamed into place only when complete, so a folder that exists is always
// whole; concurrent callers, in this process or others, wait for the lock
// and reuse the result. Progress lines go to a writer: on a terminal each
// build step, and each wait for another process, is a line redrawn every
// second with the elapsed time; elsewhere a build is one line and a wait
// two (when it starts and when it ends).
//
// # Errors
//
// Failed go commands become a [*BuildError] that unwraps to
// [ErrGoNotFound], [ErrModuleDownload] or [ErrBuildFailed] and carries the
// tail of the build log. The packages using toolbuild re-export these
// names so their callers can test for them.
package toolbuild
