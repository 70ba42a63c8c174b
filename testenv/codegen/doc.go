// Package codegen checks that the files controller-gen generates (CRDs and
// zz_generated.deepcopy.go) are committed up to date with their markers.
// It regenerates them with the controller-gen version a tools module pins,
// into a temporary folder, and compares them byte for byte with the
// committed copies: markers and committed output cannot drift apart.
//
// The one call a newcomer needs, in a test of the API package:
//
//	func TestGeneratedFilesUpToDate(t *testing.T) {
//		codegen.Check(t, codegen.Options{
//			ToolsDir:       "../tools",          // its go.mod: tool sigs.k8s.io/controller-tools/cmd/controller-gen
//			Paths:          []string{"./..."},   // what the CRDs are generated from
//			CRDDir:         "../config/crd/bases",
//			ObjectPackages: []string{"."},       // each holds a zz_generated.deepcopy.go
//			Regenerate:     "run `make generate`",
//		})
//	}
//
// [Verify] does the same work outside a test and returns the outcome as an
// error. The pinned controller-gen runs as `go -C ToolsDir tool
// controller-gen`, so the go command must be available (Go 1.24 or later,
// for go tool).
//
// # Deep-copy functions
//
// controller-gen's output:object:dir writes every package's
// zz_generated.deepcopy.go into the one folder it names, so Verify
// generates each of Options.ObjectPackages on its own. Expect a few seconds
// per package.
//
// # Without Go
//
// [SkipAllowed] holds the rule [Check] applies when the go command is
// missing: skip when the CI environment variable is empty, "0" or "false",
// fail for any other value, so CI never passes a check it did not run.
//
// # Concurrency
//
// Verify and Check may run concurrently, also on the same packages: each
// call generates into its own temporary folder and only reads the
// committed files.
//
// # Errors
//
// [Verify] returns a [*StaleError] wrapping [ErrStale] that lists every
// missing, extra and stale file with a one-line hint, [ErrGoNotFound]
// without a go command, [ErrGenerate] (with controller-gen's output) when
// controller-gen fails, and [ErrInvalidOptions] for unusable [Options].
package codegen
