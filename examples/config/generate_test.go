package config_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/testenv"
)

// TestGeneratedFilesUpToDate regenerates the CRDs and the deep-copy
// functions of every example API with the pinned controller-gen and fails
// when the committed files differ.
func TestGeneratedFilesUpToDate(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH, so controller-gen cannot run; the committed CRDs are not checked against the markers")
	}
	g := NewWithT(t)
	tools, err := filepath.Abs("../../tools")
	g.Expect(err).NotTo(HaveOccurred())
	apis, err := filepath.Abs("../api")
	g.Expect(err).NotTo(HaveOccurred())
	out := t.TempDir()

	cmd := exec.CommandContext(t.Context(), goBin, "-C", tools, "tool", "controller-gen", "crd",
		"paths="+apis+"/...", "output:crd:dir="+filepath.Join(out, "crd"))
	output, err := cmd.CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), "controller-gen crd:\n%s", output)

	generated, err := os.ReadDir(filepath.Join(out, "crd"))
	g.Expect(err).NotTo(HaveOccurred())
	committed, err := filepath.Glob("crd/*.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(committed).To(HaveLen(len(generated)), "committed CRD files differ from the generated ones")
	const hint = "run `go -C tools tool controller-gen object crd paths=../examples/api/... output:crd:dir=../examples/config/crd` from the repository root"
	for _, e := range generated {
		want, err := os.ReadFile(filepath.Join(out, "crd", e.Name()))
		g.Expect(err).NotTo(HaveOccurred())
		got, err := os.ReadFile(filepath.Join("crd", e.Name()))
		g.Expect(err).NotTo(HaveOccurred(), "%s is generated but not committed; %s", e.Name(), hint)
		g.Expect(string(got)).To(Equal(string(want)), "%s is stale; %s", e.Name(), hint)
	}

	// The deep-copy functions, one package at a time.
	groups, err := filepath.Glob(filepath.Join(apis, "*", "v1"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(groups).NotTo(BeEmpty())
	for _, pkg := range groups {
		dir := filepath.Join(out, "object", filepath.Base(filepath.Dir(pkg)))
		cmd := exec.CommandContext(t.Context(), goBin, "-C", tools, "tool", "controller-gen", "object",
			"paths="+pkg, "output:object:dir="+dir)
		output, err := cmd.CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), "controller-gen object %s:\n%s", pkg, output)
		want, err := os.ReadFile(filepath.Join(dir, "zz_generated.deepcopy.go"))
		g.Expect(err).NotTo(HaveOccurred())
		got, err := os.ReadFile(filepath.Join(pkg, "zz_generated.deepcopy.go"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(got)).To(Equal(string(want)), "%s/zz_generated.deepcopy.go is stale; %s", pkg, hint)
	}
}

// TestCRDsParse reads every embedded CRD the way testenv installs them.
func TestCRDsParse(t *testing.T) {
	g := NewWithT(t)
	crds, err := testenv.ReadCRDs(config.CRDs())
	g.Expect(err).NotTo(HaveOccurred())
	names, err := fs.Glob(config.CRDs(), "*.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(crds).To(HaveLen(len(names)))
	groups := map[string]bool{}
	for _, c := range crds {
		g.Expect(c.Spec.Group).To(HaveSuffix(".sluice.dev"))
		g.Expect(strings.HasPrefix(c.Name, c.Spec.Names.Plural+".")).To(BeTrue(), c.Name)
		groups[c.Spec.Group] = true
	}
	g.Expect(groups).To(HaveKey("source.sluice.dev"))
}
