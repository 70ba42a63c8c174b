package buildinfo_test

import (
	"fmt"
	"log/slog"
	"net/http"

	sluiceversion "github.com/sluice-dev/sluice/version"
	"github.com/sluice-dev/sluice/version/buildinfo"
)

func ExampleUserAgent() {
	// A controller computes its User-Agent once, at start-up.
	header := http.Header{}
	header.Set("User-Agent", buildinfo.UserAgent("source-controller"))

	// The value depends on how the binary was built: UserAgent(c) is
	// Read().UserAgent(c). A release built on linux/amd64 with
	//   -ldflags "-X github.com/sluice-dev/sluice/version/buildinfo.version=v1.2.3
	//             -X github.com/sluice-dev/sluice/version/buildinfo.commit=3f2a9c1e…"
	// reads this Info and sends the first header below; a build that knows
	// nothing (no -X, -buildvcs=false) sends the second.
	release := sluiceversion.Info{
		Version:  "v1.2.3",
		Commit:   "3f2a9c1e0d4b5a697887766554433221100ffeed",
		Platform: "linux/amd64",
	}
	fmt.Println(release.UserAgent("source-controller"))
	fmt.Println(sluiceversion.Info{Platform: "linux/amd64"}.UserAgent("source-controller"))
	// Output:
	// source-controller/v1.2.3 (linux/amd64) commit/3f2a9c1
	// source-controller/devel (linux/amd64)
}

func ExampleRead() {
	// A binary logs what it is at start-up.
	logger := slog.New(slog.DiscardHandler)
	logger.Info("starting", "version", buildinfo.Read().String())

	// Built with plain `go build` from a checkout at tag v1.2.3, Read finds
	// the version, the commit and the commit time in
	// runtime/debug.ReadBuildInfo, and the logged version reads as the first
	// line below. With nothing known it is "devel".
	fromVCS := sluiceversion.Info{
		Version:  "v1.2.3",
		Commit:   "3f2a9c1e0d4b5a697887766554433221100ffeed",
		Date:     "2026-12-02T01:02:03Z",
		Platform: "linux/amd64",
	}
	fmt.Println(fromVCS.String())
	fmt.Println(sluiceversion.Info{}.String())
	// Output:
	// v1.2.3 (commit 3f2a9c1e0d4b5a697887766554433221100ffeed, built 2026-12-02T01:02:03Z)
	// devel
}
