// Package examples will hold thin controller binaries assembled from the
// Sluice modules, and the quickstart that runs the whole GitOps loop on one
// machine.
//
// Each controller's main.go will only wire flags, a manager and SDK clients.
// The controllers land with the examples issue; until then this module holds
// no code. It is never tagged and never imported by the library modules.
package examples
