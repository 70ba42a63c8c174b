package sample_test

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

// TestGeneratedFilesUpToDate regenerates the CRD and the deep-copy
// functions of this package and of packages meta and acl with the pinned
// controller-gen, and fails when the committed files differ: markers and
// committed output cannot drift apart. Without the go command it is
// skipped, except under CI, where it fails.
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
	samplePkg, err := filepath.Abs(".")
	g.Expect(err).NotTo(HaveOccurred())
	metaPkg, err := filepath.Abs("../../meta")
	g.Expect(err).NotTo(HaveOccurred())
	aclPkg, err := filepath.Abs("../../acl")
	g.Expect(err).NotTo(HaveOccurred())
	out := t.TempDir()

	controllerGen := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), goBin, append([]string{"-C", tools, "tool", "controller-gen"}, args...)...)
		output, err := cmd.CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), "controller-gen %v:\n%s", args, output)
	}
	controllerGen("object", "crd", "paths="+samplePkg,
		"output:crd:dir="+filepath.Join(out, "crd"),
		"output:object:dir="+filepath.Join(out, "sample"))
	controllerGen("object", "paths="+metaPkg, "output:object:dir="+filepath.Join(out, "meta"))
	controllerGen("object", "paths="+aclPkg, "output:object:dir="+filepath.Join(out, "acl"))

	sameDir := func(generated, committed string) {
		t.Helper()
		gen, err := os.ReadDir(generated)
		g.Expect(err).NotTo(HaveOccurred())
		com, err := filepath.Glob(filepath.Join(committed, "*.yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(com).To(HaveLen(len(gen)), "committed CRD files in %s differ from the generated ones", committed)
		for _, e := range gen {
			sameFile(g, filepath.Join(generated, e.Name()), filepath.Join(committed, e.Name()))
		}
	}
	sameDir(filepath.Join(out, "crd"), "testdata/crd")
	sameFile(g, filepath.Join(out, "sample", "zz_generated.deepcopy.go"), "zz_generated.deepcopy.go")
	sameFile(g, filepath.Join(out, "meta", "zz_generated.deepcopy.go"), filepath.Join(metaPkg, "zz_generated.deepcopy.go"))
	sameFile(g, filepath.Join(out, "acl", "zz_generated.deepcopy.go"), filepath.Join(aclPkg, "zz_generated.deepcopy.go"))
}

func sameFile(g *WithT, generated, committed string) {
	want, err := os.ReadFile(generated)
	g.Expect(err).NotTo(HaveOccurred())
	got, err := os.ReadFile(committed)
	g.Expect(err).NotTo(HaveOccurred(), "%s is generated but not committed", committed)
	g.Expect(string(got)).To(Equal(string(want)),
		"%s is stale: run `go -C tools tool controller-gen object crd paths=../apis/internal/sample/... output:crd:dir=../apis/internal/sample/testdata/crd` and `go -C tools tool controller-gen object paths=../apis/meta/... paths=../apis/acl/...` from the repository root", committed)
}

// findGo returns the path of the go command that runs controller-gen,
// looked up with lookPath. Without one it returns an error, with skip
// true unless ci (the CI environment variable) is set to a true value
// ("true", "1", ...): a developer without Go may skip the check, CI may
// not.
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
