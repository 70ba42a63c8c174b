package version_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyBudget keeps the module a leaf: the standard library and
// go-digest only, nothing from Kubernetes, no other Sluice module, no
// third-party semver library.
func TestDependencyBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{
		"github.com/sluice-dev/sluice/version",
		"github.com/opencontainers/go-digest",
	}
	for dep := range strings.FieldsSeq(string(out)) {
		ok := false
		for _, a := range allowed {
			if dep == a || strings.HasPrefix(dep, a+"/") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("dependency %s is outside the budget %v", dep, allowed)
		}
	}
}
