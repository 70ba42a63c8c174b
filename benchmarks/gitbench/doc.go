// Package gitbench compares Sluice's git client with the git CLI and
// github.com/fluxcd/pkg/git on a generated repository of 5,000 commits and
// 2,000 files served over smart HTTP on loopback.
package gitbench
