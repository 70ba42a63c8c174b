package testapi_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	. "github.com/onsi/gomega"
)

const regenerate = "run `go -C tools tool controller-gen object crd paths=../runtime/internal/testapi/... output:crd:dir=../runtime/internal/testapi/testdata/crd` from the repository root"

// TestGeneratedFilesUpToDate regenerates the Widget CRD and the deep-copy
// functions with the pinned controller-gen, and fails when the committed
// files differ: markers and committed output cannot drift apart. Without
// the go command it is skipped, except under CI, where it fails.
func TestGeneratedFilesUpToDate(t *testing.T) {
	goBin, skip, err := findGo(exec.LookPath, os.Getenv("CI"))
	if err != nil {
		if skip {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	g := NewWithT(t)
	tools, err := filepath.Abs("../../../tools")
	g.Expect(err).NotTo(HaveOccurred())
	pkg, err := filepath.Abs(".")
	g.Expect(err).NotTo(HaveOccurred())
	out := t.TempDir()

	cmd := exec.CommandContext(t.Context(), goBin, "-C", tools, "tool", "controller-gen", "object", "crd",
		"paths="+pkg, "output:crd:dir="+filepath.Join(out, "crd"), "output:object:dir="+filepath.Join(out, "object"))
	output, err := cmd.CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), "controller-gen:\n%s", output)

	generated, err := os.ReadDir(filepath.Join(out, "crd"))
	g.Expect(err).NotTo(HaveOccurred())
	committed, err := filepath.Glob(filepath.Join("testdata", "crd", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(committed).To(HaveLen(len(generated)), "committed CRD files differ from the generated ones; %s", regenerate)
	for _, e := range generated {
		sameFile(g, filepath.Join(out, "crd", e.Name()), filepath.Join("testdata", "crd", e.Name()))
	}
	sameFile(g, filepath.Join(out, "object", "zz_generated.deepcopy.go"), "zz_generated.deepcopy.go")
}

func sameFile(g *WithT, generated, committed string) {
	want, err := os.ReadFile(generated)
	g.Expect(err).NotTo(HaveOccurred())
	got, err := os.ReadFile(committed)
	g.Expect(err).NotTo(HaveOccurred(), "%s is generated but not committed; %s", committed, regenerate)
	g.Expect(string(got)).To(Equal(string(want)), "%s is stale; %s", committed, regenerate)
}

// findGo returns the path of the go command that runs controller-gen,
// looked up with lookPath. Without one it returns an error, with skip
// true unless ci (the CI environment variable) is set to anything but
// "", "0" or "false" (as strconv.ParseBool reads them): a developer
// without Go may skip the check, CI may not.
func findGo(lookPath func(string) (string, error), ci string) (path string, skip bool, err error) {
	path, err = lookPath("go")
	if err == nil {
		return path, false, nil
	}
	onCI, perr := strconv.ParseBool(ci)
	if ci != "" && (perr != nil || onCI) {
		return "", false, fmt.Errorf("find the go command to run controller-gen under CI=%s: %w", ci, err)
	}
	return "", true, fmt.Errorf("find the go command to run controller-gen (skipped outside CI; the committed files are not checked against the markers): %w", err)
}

func TestFindGo(t *testing.T) {
	missing := func(string) (string, error) { return "", exec.ErrNotFound }
	found := func(string) (string, error) { return "/usr/local/go/bin/go", nil }
	tests := []struct {
		name     string
		lookPath func(string) (string, error)
		ci       string
		wantPath string
		wantSkip bool
		wantErr  bool
	}{
		{"found locally", found, "", "/usr/local/go/bin/go", false, false},
		{"found on CI", found, "true", "/usr/local/go/bin/go", false, false},
		{"missing locally skips", missing, "", "", true, true},
		{"missing with CI=false skips", missing, "false", "", true, true},
		{"missing with CI=0 skips", missing, "0", "", true, true},
		{"missing with CI=true fails", missing, "true", "", false, true},
		{"missing with CI=1 fails", missing, "1", "", false, true},
		{"missing with CI=yes fails", missing, "yes", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			path, skip, err := findGo(tt.lookPath, tt.ci)
			g.Expect(path).To(Equal(tt.wantPath))
			g.Expect(skip).To(Equal(tt.wantSkip))
			if tt.wantErr {
				g.Expect(errors.Is(err, exec.ErrNotFound)).To(BeTrue(), "%v", err)
			} else {
				g.Expect(err).NotTo(HaveOccurred())
			}
		})
	}
}

// TestGeneratedFilesWithoutGo runs TestGeneratedFilesUpToDate in a copy
// of this test binary whose PATH holds no go command: it fails under
// CI=true and is skipped without CI.
func TestGeneratedFilesWithoutGo(t *testing.T) {
	emptyPath := t.TempDir()
	run := func(t *testing.T, ci string) (string, error) {
		t.Helper()
		env := []string{"PATH=" + emptyPath, "HOME=" + os.Getenv("HOME")}
		if ci != "" {
			env = append(env, "CI="+ci)
		}
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestGeneratedFilesUpToDate$", "-test.v", "-test.count=1")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("fails under CI", func(t *testing.T) {
		g := NewWithT(t)
		out, err := run(t, "true")
		var exit *exec.ExitError
		g.Expect(errors.As(err, &exit)).To(BeTrue(), "the test passed without go under CI=true:\n%s", out)
		g.Expect(out).To(ContainSubstring("--- FAIL: TestGeneratedFilesUpToDate"))
		g.Expect(out).To(ContainSubstring("under CI=true"))
	})
	t.Run("skipped without CI", func(t *testing.T) {
		g := NewWithT(t)
		out, err := run(t, "")
		g.Expect(err).NotTo(HaveOccurred(), "%s", out)
		g.Expect(out).To(ContainSubstring("--- SKIP: TestGeneratedFilesUpToDate"))
	})
}
