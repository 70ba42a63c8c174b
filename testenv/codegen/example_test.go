package codegen_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/sluice-dev/sluice/testenv/codegen"
)

// Verify outside a test, for example in a CI step written in Go: report
// each stale file.
func ExampleVerify() {
	err := codegen.Verify(context.Background(), codegen.Options{
		ToolsDir:       "tools",
		Paths:          []string{"api/..."},
		CRDDir:         "config/crd/bases",
		ObjectPackages: []string{"api/v1", "api/v1beta1"},
		Regenerate:     "run `make generate`",
	})
	var stale *codegen.StaleError
	switch {
	case errors.As(err, &stale):
		for _, f := range stale.Files {
			fmt.Println(f.Change, f.Path)
		}
		os.Exit(1)
	case errors.Is(err, codegen.ErrGoNotFound) && codegen.SkipAllowed(os.Getenv("CI")):
		fmt.Println("skipped:", err)
	case err != nil:
		fmt.Println(err)
		os.Exit(1)
	}
}

// SkipAllowed reads the CI environment variable the way most CI systems set
// it.
func ExampleSkipAllowed() {
	for _, ci := range []string{"", "false", "0", "true", "1", "yes"} {
		fmt.Printf("CI=%q skip allowed: %v\n", ci, codegen.SkipAllowed(ci))
	}
	// Output:
	// CI="" skip allowed: true
	// CI="false" skip allowed: true
	// CI="0" skip allowed: true
	// CI="true" skip allowed: false
	// CI="1" skip allowed: false
	// CI="yes" skip allowed: false
}
