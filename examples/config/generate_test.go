package config_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/testenv"
	"github.com/sluice-dev/sluice/testenv/codegen"
)

// TestGeneratedFilesUpToDate regenerates the CRDs and the deep-copy
// functions of every example API with the pinned controller-gen and fails
// when the committed files differ. The deep-copy functions are generated
// one package at a time, since controller-gen's output:object:dir names one
// folder for all of them. Without the go command it is skipped, except
// under CI, where it fails (codegen.SkipAllowed).
func TestGeneratedFilesUpToDate(t *testing.T) {
	groups, err := filepath.Glob(filepath.Join("..", "api", "*", "v1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Fatal("no example API packages under ../api/*/v1")
	}
	codegen.Check(t, codegen.Options{
		ToolsDir:       "../../tools",
		Paths:          []string{"../api/..."},
		CRDDir:         "crd",
		ObjectPackages: groups,
		Regenerate:     "run `go -C tools tool controller-gen object crd paths=../examples/api/... output:crd:dir=../examples/config/crd` from the repository root",
	})
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
