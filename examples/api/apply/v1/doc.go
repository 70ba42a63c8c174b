// Package v1 is the apply.sluice.dev/v1 API of the example applier
// controller (the kustomize-controller role): a Sync names a source
// (GitRepository or OCIRepository of source.sluice.dev/v1) and a path in its
// artifact, and the controller applies the manifests found there with
// server-side apply, keeps an inventory of them in its status and prunes
// those that leave the source.
//
// The deep-copy functions and the CRD under examples/config/crd are
// generated; from the repository root:
//
//	go -C tools tool controller-gen object crd paths=../examples/api/apply/... output:crd:dir=../examples/config/crd
//
// +kubebuilder:object:generate=true
// +groupName=apply.sluice.dev
// +versionName=v1
package v1
