// Package v1 is the image.sluice.dev/v1 API of the example image automation
// controller: ImageRepository scans the tags of an image repository,
// ImagePolicy selects the latest of them by a policy of package
// version/policy, and ImageUpdateAutomation rewrites the image references
// marked with setter comments in a Git repository, commits (signed when a
// key is given) and pushes.
//
// The deep-copy functions and the CRDs under examples/config/crd are
// generated; from the repository root:
//
//	go -C tools tool controller-gen object crd paths=../examples/api/image/... output:crd:dir=../examples/config/crd
//
// +kubebuilder:object:generate=true
// +groupName=image.sluice.dev
// +versionName=v1
package v1
