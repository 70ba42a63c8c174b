package oci_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyBudget keeps the client and the archive package small:
// go-containerregistry (with what its authn package needs), klauspost's
// compression, the OCI specs and Sluice's version module. No Kubernetes,
// no cosign, no cloud SDK: those belong to oci/auth and oci/verify.
func TestDependencyBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".", "./archive").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{
		"github.com/sluice-dev/sluice/oci",
		"github.com/sluice-dev/sluice/version",
		"github.com/google/go-containerregistry",
		"github.com/klauspost/compress",
		"github.com/opencontainers/go-digest",
		"github.com/opencontainers/image-spec",
		// Through go-containerregistry's authn and logs packages.
		"github.com/docker/cli/cli/config",
		"github.com/docker/docker-credential-helpers",
		"github.com/sirupsen/logrus",
		"golang.org/x/sync",
		"golang.org/x/sys",
	}
	for dep := range strings.FieldsSeq(string(out)) {
		ok := false
		for _, a := range allowed {
			if dep == a || strings.HasPrefix(dep, a+"/") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("dependency %s is outside the budget", dep)
		}
	}
}
