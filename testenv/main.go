package testenv

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// RunMain starts one control plane for a test package, hands it to set, runs
// the package's tests and stops it. Call it from TestMain and pass its
// result to os.Exit:
//
//	var env *testenv.Environment
//
//	func TestMain(m *testing.M) {
//		os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e }))
//	}
//
// When the control plane cannot start, RunMain prints why and returns 1
// without running the tests.
func RunMain(m *testing.M, set func(*Environment), opts ...Option) int {
	env, err := Start(context.Background(), opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	set(env)
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
