// Package v1 is the source.sluice.dev/v1 API of the example source
// controller: GitRepository and OCIRepository. Each produces an artifact, a
// reproducible tar.gz of the fetched tree, that the controller stores on
// disk and serves over HTTP; status.artifact carries its RFC-0005 revision
// and its digest.
//
// The deep-copy functions and the CRDs under examples/config/crd are
// generated; from the repository root:
//
//	go -C tools tool controller-gen object crd paths=../examples/api/... output:crd:dir=../examples/config/crd
//
// +kubebuilder:object:generate=true
// +groupName=source.sluice.dev
// +versionName=v1
package v1
