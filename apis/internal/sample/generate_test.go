package sample_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

// TestGeneratedFilesUpToDate regenerates the CRD and the deep-copy
// functions of this package and of package meta with the pinned
// controller-gen, and fails when the committed files differ: markers and
// committed output cannot drift apart.
func TestGeneratedFilesUpToDate(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH, so controller-gen cannot run; the committed CRD is not checked against the markers")
	}
	g := NewWithT(t)
	tools, err := filepath.Abs("../../../tools")
	g.Expect(err).NotTo(HaveOccurred())
	samplePkg, err := filepath.Abs(".")
	g.Expect(err).NotTo(HaveOccurred())
	metaPkg, err := filepath.Abs("../../meta")
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
}

func sameFile(g *WithT, generated, committed string) {
	want, err := os.ReadFile(generated)
	g.Expect(err).NotTo(HaveOccurred())
	got, err := os.ReadFile(committed)
	g.Expect(err).NotTo(HaveOccurred(), "%s is generated but not committed", committed)
	g.Expect(string(got)).To(Equal(string(want)),
		"%s is stale: run `go -C tools tool controller-gen object crd paths=../apis/internal/sample/... output:crd:dir=../apis/internal/sample/testdata/crd` and `go -C tools tool controller-gen object paths=../apis/meta/...` from the repository root", committed)
}
