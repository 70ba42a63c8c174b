// Command assets provisions the kube-apiserver and etcd binaries Sluice's
// testenv uses and prints the folder that holds them as its last line.
//
//	export KUBEBUILDER_ASSETS=$(go run github.com/sluice-dev/sluice/testenv/cmd/assets | tail -n 1)
//
// The folder works as KUBEBUILDER_ASSETS for anyone using
// controller-runtime's envtest. The first run builds both binaries from
// source through the Go module proxy (about 15 minutes on 2 cores); later
// runs return the cached folder at once. Progress goes to standard error.
package main
