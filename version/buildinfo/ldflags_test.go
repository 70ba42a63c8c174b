package buildinfo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/onsi/gomega"
)

// TestLinkerStamps builds testdata/stamped, a main that prints Read(), with
// the -ldflags -X flags the package documents, and checks the stamps arrive.
// The linker ignores -X for a variable that does not exist, so this is the
// only check that the documented flags still name the variables. A second
// build without flags and without VCS information shows the values come from
// the flags alone.
func TestLinkerStamps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary with go build")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go command not found, and CI=true: %v", err)
		}
		t.Skip("go command not found")
	}
	const pkg = "github.com/sluice-dev/sluice/version/buildinfo"
	const (
		stampVersion = "v9.8.7-stamp.1"
		stampCommit  = "0123456789abcdef0123456789abcdef01234567"
		stampDate    = "2026-12-02T01:02:03Z"
	)
	platform := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name  string
		flags []string
		want  map[string]string
	}{
		{
			name: "stamped",
			flags: []string{"-ldflags", "-X " + pkg + ".version=" + stampVersion +
				" -X " + pkg + ".commit=" + stampCommit + " -X " + pkg + ".date=" + stampDate},
			want: map[string]string{
				"version":   stampVersion,
				"commit":    stampCommit,
				"date":      stampDate,
				"platform":  platform,
				"useragent": "stamped/" + stampVersion + " (" + platform + ") commit/0123456",
			},
		},
		{
			name:  "no stamps, no VCS information",
			flags: []string{"-buildvcs=false"},
			want: map[string]string{
				"version":   "",
				"commit":    "",
				"date":      "",
				"platform":  platform,
				"useragent": "stamped/devel (" + platform + ")",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			bin := filepath.Join(t.TempDir(), "stamped")
			args := append([]string{"build", "-o", bin}, tt.flags...)
			args = append(args, "./testdata/stamped")
			build := exec.CommandContext(t.Context(), goCmd, args...)
			// The version module alone, as a release of it would be built.
			build.Env = append(os.Environ(), "GOWORK=off")
			out, err := build.CombinedOutput()
			g.Expect(err).NotTo(gomega.HaveOccurred(), "go %s:\n%s", strings.Join(args, " "), out)

			out, err = exec.CommandContext(t.Context(), bin).Output()
			g.Expect(err).NotTo(gomega.HaveOccurred())
			got := map[string]string{}
			for line := range strings.Lines(string(out)) {
				k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
				g.Expect(ok).To(gomega.BeTrue(), "line %q", line)
				got[k] = v
			}
			g.Expect(got).To(gomega.Equal(tt.want))
		})
	}
}
