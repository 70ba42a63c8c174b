// Package oci will push and pull OCI artifacts for GitOps controllers.
//
// It will build reproducible artifact tarballs, push and pull them with
// go-containerregistry, extract them safely, log in to cloud registries
// (AWS, Azure, GCP) with OIDC, verify cosign signatures and handle Helm
// charts stored as OCI artifacts. It never imports Kubernetes packages.
//
// The client lands with the oci issue; until then this module holds no code.
package oci
