// Package ssa will be Sluice's server-side-apply resource manager.
//
// It will apply sets of Kubernetes objects with server-side apply in stages
// (CRDs and namespaces first), report a change set, detect drift exactly,
// diff, recreate objects whose immutable fields changed when asked to, wait
// for readiness with kstatus, and delete or prune only what it owns.
//
// The manager lands with the ssa issue; until then this module holds no code.
package ssa
