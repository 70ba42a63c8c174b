package testapi_test

import (
	"testing"

	"github.com/sluice-dev/sluice/testenv/codegen"
)

// TestGeneratedFilesUpToDate regenerates the Widget CRD and the deep-copy
// functions with the pinned controller-gen, and fails when the committed
// files differ: markers and committed output cannot drift apart. Without
// the go command it is skipped, except under CI, where it fails
// (codegen.SkipAllowed).
func TestGeneratedFilesUpToDate(t *testing.T) {
	codegen.Check(t, codegen.Options{
		ToolsDir:       "../../../tools",
		Paths:          []string{"."},
		CRDDir:         "testdata/crd",
		ObjectPackages: []string{"."},
		Regenerate:     "run `go -C tools tool controller-gen object crd paths=../runtime/internal/testapi/... output:crd:dir=../runtime/internal/testapi/testdata/crd` from the repository root",
	})
}
