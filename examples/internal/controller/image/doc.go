// Package image holds the reconcilers of the example image automation
// controller, for the kinds of package examples/api/image/v1:
//
//   - ImageRepositoryReconciler scans an image repository's tags with the
//     oci module (credentials from a dockerconfigjson Secret through
//     oci/auth, or a cloud keychain) and keeps the full tag list in a
//     shared in-memory TagStore; the status holds a summary (count, scan
//     time, a few tags) and the canonical image name.
//   - ImagePolicyReconciler ranks the stored tags of its ImageRepository
//     with package version/policy (semver, alphabetical, numerical, with a
//     regular-expression filter and extract) and records the latest image
//     in status.latestRef. It watches ImageRepositories, so every scan
//     re-evaluates the policies that use it.
//   - ImageUpdateAutomationReconciler clones a branch of a GitRepository
//     (of examples/api/source/v1) with git/gogit, rewrites the YAML fields
//     marked with setter comments to the images the policies select
//     (package setters), commits when something changed (signed when a
//     key is given) and pushes.
//
// Both ImageRepositoryReconciler and ImagePolicyReconciler must share one
// TagStore:
//
//	tags := image.NewTagStore()
//	err := (&image.ImageRepositoryReconciler{Client: c, Tags: tags}).SetupWithManager(mgr)
//	err = (&image.ImagePolicyReconciler{Client: c, Tags: tags}).SetupWithManager(mgr)
//	err = (&image.ImageUpdateAutomationReconciler{Client: c}).SetupWithManager(mgr)
//
// # Tag storage
//
// Tags live in process memory, not in the API server: a status holding a
// repository's thousands of tags would be too large, and one holding only
// the latest few cannot serve a semver range. After a restart the store
// is empty until each ImageRepository is scanned again, which happens on
// the manager's initial list; an ImagePolicy whose repository has not been
// scanned yet reports Ready False with reason DependencyNotReady and looks
// again shortly. The store holds at most MaxTags tags per repository
// (default DefaultMaxTags); a larger scan fails and asks for an exclusion
// list.
//
// # Conditions
//
// Every reconcile ends with Ready True or False, status.observedGeneration
// set, and Stalled True (with Ready False) for a failure that only a change
// of the object can fix: an invalid image name, an invalid policy
// (InvalidPolicyReason), a refused cross-namespace reference, a malformed
// commit template. Suspended objects are not reconciled and their status is
// left as it was.
package image
