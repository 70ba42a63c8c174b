package testenv

import (
	"context"
	"flag"
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
//
// When the test binary fuzzes (go test -fuzz, and the worker processes it
// starts) RunMain starts no control plane and does not call set: fuzz
// targets must not need one, and each worker would otherwise start its own.
func RunMain(m *testing.M, set func(*Environment), opts ...Option) int {
	if fuzzing() {
		return m.Run()
	}
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

// fuzzing reports whether the test binary runs fuzz targets: the coordinator
// gets -test.fuzz, its workers -test.fuzzworker.
func fuzzing() bool {
	if !flag.Parsed() {
		flag.Parse()
	}
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return true
	}
	f := flag.Lookup("test.fuzzworker")
	return f != nil && f.Value.String() == "true"
}
