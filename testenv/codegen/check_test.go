package codegen_test

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/testenv/codegen"
)

func TestSkipAllowed(t *testing.T) {
	tests := []struct {
		ci   string
		want bool
	}{
		{"", true},
		{"0", true},
		{"false", true},
		{"FALSE", true},
		{"f", true},
		{"true", false},
		{"1", false},
		{"TRUE", false},
		{"yes", false},
		{"on", false},
		{" ", false},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			NewWithT(t).Expect(codegen.SkipAllowed(tt.ci)).To(Equal(tt.want))
		})
	}
}

// TestCheck checks the fixture with Check. TestCheckWithoutGo runs it again
// in a process without the go command.
func TestCheck(t *testing.T) {
	codegen.Check(t, codegen.Options{
		ToolsDir:       tools,
		Paths:          []string{apiPkg},
		CRDDir:         crdDir,
		ObjectPackages: []string{apiPkg},
		Regenerate:     "see testdata/api/v1/doc.go",
	})
}

// TestCheckWithoutGo runs TestCheck in a copy of this test binary whose
// PATH holds no go command: it fails under CI=true (and any value but "",
// "0" or "false") and is skipped otherwise.
func TestCheckWithoutGo(t *testing.T) {
	emptyPath := t.TempDir()
	run := func(t *testing.T, ci string) (string, error) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCheck$", "-test.v", "-test.count=1")
		cmd.Env = []string{"PATH=" + emptyPath, "HOME=" + os.Getenv("HOME")}
		if ci != "" {
			cmd.Env = append(cmd.Env, "CI="+ci)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	for _, ci := range []string{"true", "yes"} {
		t.Run("fails under CI="+ci, func(t *testing.T) {
			g := NewWithT(t)
			out, err := run(t, ci)
			var exit *exec.ExitError
			g.Expect(errors.As(err, &exit)).To(BeTrue(), "TestCheck passed without go under CI=%s:\n%s", ci, out)
			g.Expect(out).To(ContainSubstring("--- FAIL: TestCheck "))
			g.Expect(out).To(ContainSubstring("go command not found"))
			g.Expect(out).To(ContainSubstring("CI=" + ci + ": the check may not be skipped"))
		})
	}
	for _, ci := range []string{"", "false", "0"} {
		t.Run("skipped with CI="+ci, func(t *testing.T) {
			g := NewWithT(t)
			out, err := run(t, ci)
			g.Expect(err).NotTo(HaveOccurred(), "%s", out)
			g.Expect(out).To(ContainSubstring("--- SKIP: TestCheck "))
			g.Expect(out).To(ContainSubstring("skipped outside CI"))
		})
	}
}
