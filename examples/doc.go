// Package examples holds thin controller binaries assembled from the Sluice
// modules (source, applier, image automation and notification controllers
// under cmd/), their CRD types under api/, and the quickstart that runs the
// whole GitOps loop on one machine:
//
//	go run ./examples/cmd/quickstart
//
// Each controller's main.go only binds flags, builds a manager and
// constructs the reconcilers of internal/controller. The module is never
// tagged and never imported by the library modules; see README.md.
package examples
