// Package ocibench compares Sluice's oci client with
// github.com/fluxcd/pkg/oci and go-containerregistry's crane, side by side
// in one run, on a generated directory of 2,000 files and about 50 MB.
//
// The fixture is written once, by TestMain, into a temporary directory:
// files spread over 50 directories two levels deep, three in four
// YAML-like text that compresses about 4:1, one in four random bytes that
// do not compress, sizes from 10 kB to 40 kB, all from a fixed seed. An
// in-process CNCF Distribution registry (testenv/registry) with filesystem
// storage serves plain HTTP on 127.0.0.1 to all three clients.
//
// Run it from the benchmarks folder:
//
//	go test -run '^$' -bench . -benchtime 3x -timeout 30m ./ocibench/
//
// Plain `go test ./...` runs no benchmark and skips the fixture; it runs
// only the quick tests of the crane baselines' tar.gz helpers. The default
// -timeout of 10 minutes is enough on a quiet machine; the longer one
// above leaves room for a loaded one.
//
// # Benchmarks
//
// BenchmarkPush archives the directory and pushes it as a one-layer
// artifact: sluice is oci.Client.Push, fluxcd is the fluxcd/pkg/oci
// Client.Push, and crane writes a tar.gz of the directory with archive/tar
// and compress/gzip, then does what `crane append --oci-empty-base` does:
// crane.Append onto an empty OCI image and crane.Push; its sub-benchmark
// also reports "archive-s/op", the part of the time spent writing the
// tar.gz (compress/gzip at its default level). Each iteration pushes to a
// new repository, so every blob is uploaded: a new tag in the same
// repository would let the registry answer that the (reproducible) layer
// is already there.
//
// BenchmarkPullExtract pulls the artifact Sluice pushed in TestMain and
// extracts it into a new directory: sluice is oci.Client.Pull, fluxcd is
// the fluxcd/pkg/oci Client.Pull, and crane is crane.Pull followed by a
// plain archive/tar and compress/gzip extraction of the layer through an
// os.Root. After each iteration, with the timer stopped, the extracted tree
// is checked to hold every file of the fixture with the same total size.
//
// # Metrics
//
// Besides time per operation and MB/s of fixture content, each
// sub-benchmark reports "peak-MB": the peak live Go heap while it ran,
// sampled every millisecond. The registry runs in the same process, so its
// request buffers are included, the same for all three clients; its
// storage is on disk, not in the heap.
package ocibench
