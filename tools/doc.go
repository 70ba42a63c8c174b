// Package tools pins the code generators Sluice's modules run with `go
// tool`, so their versions live in one go.mod and stay out of the library
// modules' dependency graphs:
//
//	go -C tools tool controller-gen object crd paths=../apis/... output:crd:dir=...
//
// This module is never tagged and never imported.
package tools
