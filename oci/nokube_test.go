package oci_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoKubernetesInAnyPackage keeps every package of the module (auth,
// verify and helm too) from importing Kubernetes: a controller hands oci
// plain data. The one Kubernetes module allowed among the dependencies
// of dependencies is k8s.io/klog, the logger certificate-transparency-go
// (under sigstore) logs with. Tests may import what they like, so only
// the packages themselves are listed.
func TestNoKubernetesInAnyPackage(t *testing.T) {
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
		"-f", `{{if not .Standard}}{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{"\n"}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	isKube := func(p string) bool {
		return strings.HasPrefix(p, "k8s.io/") || strings.HasPrefix(p, "sigs.k8s.io/")
	}
	ours := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg, imports := fields[0], fields[1:]
		if strings.HasPrefix(pkg, "github.com/sluice-dev/sluice/") {
			ours++
			for _, imp := range imports {
				if isKube(imp) {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
		}
		if isKube(pkg) && !strings.HasPrefix(pkg, "k8s.io/klog/") {
			t.Errorf("the oci module depends on %s", pkg)
		}
	}
	if ours == 0 {
		t.Fatal("go list printed none of the module's packages")
	}
}
