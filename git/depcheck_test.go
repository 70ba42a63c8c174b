package git_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoKubernetes keeps every package of the module free of Kubernetes:
// a controller hands git plain data. Tests may import what they like, so
// only the packages themselves are listed. depguard checks the same in
// make lint; this check does not depend on where the clone sits.
func TestNoKubernetes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("go command not found: %v", err)
		}
		t.Skip("go command not found")
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list printed no packages")
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "k8s.io/") || strings.HasPrefix(dep, "sigs.k8s.io/") {
			t.Errorf("a package of the git module depends on %s", dep)
		}
	}
}
