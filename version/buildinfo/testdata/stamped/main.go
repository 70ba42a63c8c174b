// Command stamped prints what buildinfo.Read sees, one "key=value" per line,
// for TestLinkerStamps, which builds it with and without -ldflags -X.
package main

import (
	"fmt"

	"github.com/sluice-dev/sluice/version/buildinfo"
)

func main() {
	info := buildinfo.Read()
	fmt.Printf("version=%s\ncommit=%s\ndate=%s\nplatform=%s\nuseragent=%s\n",
		info.Version, info.Commit, info.Date, info.Platform, buildinfo.UserAgent("stamped"))
}
