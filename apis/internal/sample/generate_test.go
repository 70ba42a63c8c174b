package sample_test

import (
	"testing"

	"github.com/sluice-dev/sluice/testenv/codegen"
)

// TestGeneratedFilesUpToDate regenerates the CRD and the deep-copy
// functions of this package and of packages meta and acl with the pinned
// controller-gen, and fails when the committed files differ: markers and
// committed output cannot drift apart. Without the go command it is
// skipped, except under CI, where it fails (codegen.SkipAllowed).
func TestGeneratedFilesUpToDate(t *testing.T) {
	codegen.Check(t, codegen.Options{
		ToolsDir:       "../../../tools",
		Paths:          []string{"."},
		CRDDir:         "testdata/crd",
		ObjectPackages: []string{".", "../../meta", "../../acl"},
		Regenerate: "run `go -C tools tool controller-gen object crd paths=../apis/internal/sample/... output:crd:dir=../apis/internal/sample/testdata/crd`" +
			" and `go -C tools tool controller-gen object paths=../apis/meta/... paths=../apis/acl/...` from the repository root",
	})
}
