// Command assets provisions the kube-apiserver and etcd binaries Sluice's
// testenv uses and prints the folder that holds them as its last line.
//
//	export KUBEBUILDER_ASSETS=$(go run github.com/sluice-dev/sluice/testenv/cmd/assets | tail -n 1)
//
// The folder works as KUBEBUILDER_ASSETS for anyone using
// controller-runtime's envtest. The first run builds both binaries from
// source through the Go module proxy (about 15 minutes on 2 cores); later
// runs return the cached folder at once. Progress goes to standard error.
//
// With -tools it first builds (or finds) the cosign CLI that
// testenv/cosign runs and the Gitea server that testenv/gitea runs, in the
// same cache, and prints the path of each binary on its own line before
// the assets folder:
//
//	go run github.com/sluice-dev/sluice/testenv/cmd/assets -tools
//
// A cold cosign build takes about 4 minutes and a cold Gitea build about 7
// (it needs a C compiler: Gitea uses SQLite through cgo) on 2 idle cores.
package main
