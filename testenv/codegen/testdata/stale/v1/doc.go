// Package v1 is a fixture for the codegen tests whose committed
// zz_generated.deepcopy.go is stale: it predates the Labels field.
//
// +kubebuilder:object:generate=true
package v1
