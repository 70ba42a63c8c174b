// Package v1 is a fixture for the codegen tests whose
// zz_generated.deepcopy.go was never committed.
//
// +kubebuilder:object:generate=true
package v1
