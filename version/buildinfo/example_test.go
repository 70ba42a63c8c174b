package buildinfo_test

import (
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/version/buildinfo"
)

func ExampleUserAgent() {
	ua := buildinfo.UserAgent("source-controller")
	// e.g. "source-controller/v1.2.3 (linux/amd64) commit/abc1234"
	fmt.Println(strings.HasPrefix(ua, "source-controller/"))
	// Output: true
}

func ExampleRead() {
	info := buildinfo.Read()
	// e.g. "v1.2.3 (commit abc1234…, built 2025-02-03T04:05:06Z)"
	fmt.Println(info.Platform != "")
	// Output: true
}
