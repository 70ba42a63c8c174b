// Package ssa is Sluice's server-side-apply resource manager.
//
// A [ResourceManager] applies sets of Kubernetes objects with server-side
// apply on behalf of an [Owner]. Objects are named by [ObjectID], which is
// independent of API versions.
//
//	m, err := ssa.New(c, ssa.Owner{Field: "sluice", Group: "sluice.example.com"})
//
// # Concurrency
//
// A ResourceManager is safe for concurrent use.
package ssa
