package testenv_test

import (
	"os"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/sluice-dev/sluice/testenv"
)

var env *testenv.Environment

func TestMain(m *testing.M) {
	// The second process of TestProvisionSecondProcessWaitsAndReuses needs
	// no control plane.
	if os.Getenv("SLUICE_TESTENV_PROVISION_HELPER") != "" {
		os.Exit(m.Run())
	}
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithCRDPaths("testdata/crd"),
		testenv.WithManager(manager.Options{}),
	))
}
