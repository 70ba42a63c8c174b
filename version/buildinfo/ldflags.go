package buildinfo

// Link-time stamps: the only package-level variables in this module, and the
// one accepted exception to the no-mutable-state rule, because the linker's
// -X flag can only set a package-level string variable. Nothing in the
// program writes them: they are set once, by the linker, and read through
// Read. Each is optional and wins over what runtime/debug reports:
//
//	go build -ldflags "\
//	  -X github.com/sluice-dev/sluice/version/buildinfo.version=v1.2.3 \
//	  -X github.com/sluice-dev/sluice/version/buildinfo.commit=$(git rev-parse HEAD) \
//	  -X github.com/sluice-dev/sluice/version/buildinfo.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
var (
	version string
	commit  string
	date    string
)
