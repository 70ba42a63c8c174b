package codegen

import (
	"errors"
	"os"
	"strconv"
	"testing"
)

// SkipAllowed reports whether a check that cannot run because the go
// command is missing may be skipped, given ci, the value of the CI
// environment variable. A developer without Go may skip; CI may not. It
// returns true when ci is empty or a value strconv.ParseBool reads as false
// ("0", "f", "F", "false", "FALSE", "False"), and false for anything else,
// including values ParseBool rejects, such as "yes".
func SkipAllowed(ci string) bool {
	if ci == "" {
		return true
	}
	onCI, err := strconv.ParseBool(ci)
	return err == nil && !onCI
}

// Check runs [Verify] as part of the test t, with t.Context(), and fails t
// with Verify's error, which lists every stale file and ends with
// opts.Regenerate. When the go command is missing it skips t instead if
// [SkipAllowed] allows it for the CI environment variable, so that a
// developer without Go is not blocked while CI still fails.
//
// Check must be called from the goroutine running the test. Use [Verify]
// outside a test or to handle the errors yourself.
func Check(t testing.TB, opts Options) {
	t.Helper()
	err := Verify(t.Context(), opts)
	if err == nil {
		return
	}
	if errors.Is(err, ErrGoNotFound) {
		ci := os.Getenv("CI")
		if SkipAllowed(ci) {
			t.Skipf("%v\nskipped outside CI: the committed files are not checked against the markers", err)
		}
		t.Fatalf("%v\nCI=%s: the check may not be skipped under CI", err, ci)
	}
	t.Fatal(err)
}
