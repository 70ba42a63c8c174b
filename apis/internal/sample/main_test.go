package sample_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/sluice-dev/sluice/apis/internal/sample"
	"github.com/sluice-dev/sluice/testenv"
)

var env *testenv.Environment

func TestMain(m *testing.M) {
	scheme := testenv.DefaultScheme()
	if err := sample.AddToScheme(scheme); err != nil {
		fmt.Fprintln(os.Stderr, "register sample types:", err)
		os.Exit(1)
	}
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithScheme(scheme),
		testenv.WithCRDPaths("testdata/crd"),
	))
}
