package ssa_test

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/testenv"
)

// testEnv is the one control plane every test of the package shares.
var testEnv *testenv.Environment

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { testEnv = e }))
}
