// Package measure holds the peak-memory probes the benchmarks share.
package measure
