// Package benchmarks measures Sluice side by side with peer libraries and
// tools in one run: the git client against the git CLI and
// github.com/fluxcd/pkg/git, and (as they land) the ssa manager and the
// oci client against their fluxcd/pkg counterparts.
//
// The module is never imported by the library. Run it with
//
//	cd benchmarks && go test -run '^$' -bench . -benchtime 5x
//
// Each benchmark reports wall time per operation and, where it can be
// measured, peak memory as "peak-MB": the peak Go heap for in-process
// clients (sampled every millisecond) and the peak resident set for the git
// CLI.
package benchmarks
