// Package buildinfo tells a binary its own version, commit and build date,
// for logs and User-Agent headers. It is the only package of the module with
// package-level variables: the three link-time stamps below.
//
// The one call a newcomer needs:
//
//	log.Info("starting", "version", buildinfo.Read().String())
//	httpClient.Transport = withUserAgent(buildinfo.UserAgent("sluice-controller"))
//
// Without any flag, a binary built with `go build` from a Git checkout already
// knows its version (from the tag), commit and commit time, through
// runtime/debug.ReadBuildInfo. Builds without VCS information (a container
// build that does not copy .git, or -buildvcs=false) can stamp the values at
// link time; each -X target is an unexported string variable, read only
// through Read:
//
//	go build -ldflags "\
//	  -X github.com/sluice-dev/sluice/version/buildinfo.version=v1.2.3 \
//	  -X github.com/sluice-dev/sluice/version/buildinfo.commit=$(git rev-parse HEAD) \
//	  -X github.com/sluice-dev/sluice/version/buildinfo.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
//
// # Concurrency
//
// Read and UserAgent are safe for concurrent use: the stamps are written only
// by the linker.
//
// # Errors
//
// None: unknown fields are left empty, and version.Info shows them as
// "devel" or leaves them out.
package buildinfo
