package impersonation_test

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/testenv"
)

var env *testenv.Environment

func TestMain(m *testing.M) {
	// envtest runs kube-apiserver with --authorization-mode=RBAC by default,
	// so impersonated clients get exactly what their RoleBindings grant.
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e }))
}
