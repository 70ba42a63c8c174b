// Package runtime will hold controller-runtime helpers for Sluice
// controllers.
//
// Its packages will cover kstatus conditions, patching with conflict-free
// status updates, events posted to a notification receiver, metrics, access
// control for cross-namespace references, service-account impersonation and
// command-line flags bound to option structs.
//
// The helpers land with the apis and runtime issue; until then this module
// holds no code.
package runtime
