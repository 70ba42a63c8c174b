package version_test

import (
	"runtime"
	"testing"

	"github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/version"
)

func TestInfoUserAgent(t *testing.T) {
	tests := []struct {
		name      string
		info      version.Info
		component string
		want      string
	}{
		{"full", version.Info{Version: "v1.2.3", Commit: sha1Hex, Platform: "linux/amd64"}, "source-controller",
			"source-controller/v1.2.3 (linux/amd64) commit/0123456"},
		{"short commit", version.Info{Version: "v1.2.3", Commit: "abc", Platform: "linux/arm64"}, "x", "x/v1.2.3 (linux/arm64) commit/abc"},
		{"unknown", version.Info{Platform: "darwin/arm64"}, "", "sluice/devel (darwin/arm64)"},
		{"sanitised", version.Info{Version: "v1 beta/2", Commit: "a(b)", Platform: "linux/(x)"}, "my comp", "my-comp/v1-beta-2 (linux/-x-) commit/a-b-"},
		{"default platform", version.Info{Version: "v1.0.0"}, "c", "c/v1.0.0 (" + runtime.GOOS + "/" + runtime.GOARCH + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			g.Expect(tt.info.UserAgent(tt.component)).To(gomega.Equal(tt.want))
		})
	}
}

func TestInfoString(t *testing.T) {
	g := gomega.NewWithT(t)
	g.Expect(version.Info{}.String()).To(gomega.Equal("devel"))
	g.Expect(version.Info{Version: "v1.2.3"}.String()).To(gomega.Equal("v1.2.3"))
	g.Expect(version.Info{Version: "v1.2.3", Commit: "abc", Date: "2025-02-03T00:00:00Z"}.String()).
		To(gomega.Equal("v1.2.3 (commit abc, built 2025-02-03T00:00:00Z)"))
	g.Expect(version.Info{Date: "2025-02-03T00:00:00Z"}.String()).To(gomega.Equal("devel (built 2025-02-03T00:00:00Z)"))
}
