// Package v1 is a fixture for the codegen tests that asks for no deep-copy
// functions yet commits a zz_generated.deepcopy.go.
package v1
