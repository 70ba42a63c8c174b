// Package v1 is a tiny API package used as a fixture by the codegen tests.
// Its CRD (../../crd) and zz_generated.deepcopy.go are committed up to date.
//
// +kubebuilder:object:generate=true
// +groupName=fixture.sluice.dev
package v1
