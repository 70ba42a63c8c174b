package matchers_test

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/testenv"
)

// env is the control plane the object matchers are tested against.
var env *testenv.Environment

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithCRDPaths("testdata/crd")))
}
