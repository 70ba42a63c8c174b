package buildinfo

import (
	"runtime"
	"runtime/debug"

	sluiceversion "github.com/sluice-dev/sluice/version"
)

// Read returns the running binary's build information. Each field comes from
// the first source that knows it:
//
//  1. the link-time stamp (see the package documentation for the -X flags);
//  2. runtime/debug.ReadBuildInfo: the main module's version (Go stamps it
//     from the VCS tag, e.g. "v1.2.3" or a pseudo-version; "(devel)" counts
//     as unknown), and the "vcs.revision" and "vcs.time" settings, present
//     when the binary was built from a checkout with -buildvcs (the default);
//  3. otherwise empty, which version.Info.UserAgent shows as "devel" or
//     leaves out.
//
// Platform is runtime.GOOS/runtime.GOARCH. Read parses the embedded build
// information on every call: call it once at start-up.
func Read() sluiceversion.Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return merge(stamp{version: version, commit: commit, date: date}, bi)
}

// UserAgent is Read().UserAgent(component): a User-Agent header value such as
// "sluice-controller/v1.2.3 (linux/amd64) commit/abc1234".
func UserAgent(component string) string {
	return Read().UserAgent(component)
}

// stamp holds the link-time values, passed by value so merge is pure.
type stamp struct {
	version, commit, date string
}

// merge applies the precedence documented on Read. bi may be nil.
func merge(s stamp, bi *debug.BuildInfo) sluiceversion.Info {
	info := sluiceversion.Info{
		Version:  s.version,
		Commit:   s.commit,
		Date:     s.date,
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi == nil {
		return info
	}
	if info.Version == "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			if info.Commit == "" {
				info.Commit = kv.Value
			}
		case "vcs.time":
			if info.Date == "" {
				info.Date = kv.Value
			}
		}
	}
	return info
}
