// Package sample is a small CRD type, Sample in sample.sluice.dev/v1, that
// exercises the shared types (every reference type of package meta,
// Artifact, and acl.AccessFrom) and the marker guide of package meta
// against a real apiserver. It is internal: no controller serves it, and it exists
// so that the tests can prove the generated OpenAPI schema rejects what the
// markers promise to reject.
//
// The deep-copy functions and the CRD under testdata/crd are generated:
//
//	go -C tools tool controller-gen object crd paths=../apis/internal/sample/... output:crd:dir=../apis/internal/sample/testdata/crd
//
// and a test fails when the committed CRD, or the deep-copy functions of
// this package, meta or acl, no longer match the markers. That test needs
// the go command: without one it is skipped, unless the CI environment
// variable is set (CI=true), where it fails instead.
//
// +kubebuilder:object:generate=true
// +groupName=sample.sluice.dev
// +versionName=v1
package sample
