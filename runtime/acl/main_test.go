package acl_test

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/testenv"
)

var env *testenv.Environment

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e }))
}
