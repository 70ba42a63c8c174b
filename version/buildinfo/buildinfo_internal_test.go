package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/onsi/gomega"

	sluiceversion "github.com/sluice-dev/sluice/version"
)

func TestMerge(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := &debug.BuildInfo{
		Main: debug.Module{Path: "example.com/ctrl", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2025-02-03T04:05:06Z"},
			{Key: "vcs.modified", Value: "false"},
		},
	}
	tests := []struct {
		name  string
		stamp stamp
		bi    *debug.BuildInfo
		want  sluiceversion.Info
	}{
		{"nothing known", stamp{}, nil, sluiceversion.Info{Platform: platform}},
		{"devel main module", stamp{}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, sluiceversion.Info{Platform: platform}},
		{"from build info", stamp{}, vcs, sluiceversion.Info{
			Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2025-02-03T04:05:06Z", Platform: platform,
		}},
		{"stamp wins", stamp{version: "v9.9.9", commit: "abc", date: "2030-01-01T00:00:00Z"}, vcs, sluiceversion.Info{
			Version: "v9.9.9", Commit: "abc", Date: "2030-01-01T00:00:00Z", Platform: platform,
		}},
		{"stamp fills gaps only where set", stamp{version: "v9.9.9"}, vcs, sluiceversion.Info{
			Version: "v9.9.9", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2025-02-03T04:05:06Z", Platform: platform,
		}},
		{"stamp without build info", stamp{commit: "abc"}, nil, sluiceversion.Info{Commit: "abc", Platform: platform}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			g.Expect(merge(tt.stamp, tt.bi)).To(gomega.Equal(tt.want))
		})
	}
}

func TestReadUsesStamps(t *testing.T) {
	g := gomega.NewWithT(t)
	// The stamps are empty in tests (no -ldflags), so Read reflects the test
	// binary's build information only.
	g.Expect(version).To(gomega.BeEmpty())
	g.Expect(commit).To(gomega.BeEmpty())
	g.Expect(date).To(gomega.BeEmpty())
	info := Read()
	g.Expect(info.Platform).To(gomega.Equal(runtime.GOOS + "/" + runtime.GOARCH))
	g.Expect(UserAgent("c")).To(gomega.Equal(info.UserAgent("c")))
}
