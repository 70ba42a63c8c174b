// Package applier is the example applier controller, the role Flux's
// kustomize-controller plays: it reconciles apply.sluice.dev/v1 Syncs.
//
// For each Sync, SyncReconciler waits until the Syncs it depends on are
// Ready, reads its source (a source.sluice.dev/v1 GitRepository or
// OCIRepository, in another namespace only when runtime/acl allows it),
// downloads the source's artifact over HTTP and extracts it with
// oci/archive, verifying its digest; builds the manifests at spec.path, as a
// kustomize overlay when the folder holds a kustomization file and as plain
// YAML otherwise; and applies them with the ssa staged apply, acting as the
// Sync's service account (runtime/impersonation) or with a kubeconfig Secret.
// The objects applied are recorded in status.inventory; those that left the
// source are pruned, and all of them when the Sync is deleted. With
// spec.wait the reconcile waits for them to be healthy.
//
// Kustomize runs on an in-memory copy of the artifact with plugins off, so an
// overlay may use other folders of the artifact ("../base") but never the
// controller's files; kustomizations that name a URL, or a resource the
// artifact lacks (which kustomize would clone as a remote Git base), are
// refused before the build, so an artifact cannot make the controller reach
// out to the network.
//
// Every reconcile re-applies the whole set: the ssa manager makes a no-op
// apply cheap and reverts manual edits (drift) of applied fields.
//
// The one call a controller binary needs:
//
//	err := (&applier.SyncReconciler{Access: opts.Access, EventRecorder: rec}).SetupWithManager(mgr)
//
// # Conditions
//
// A Sync reports Ready, Reconciling and Stalled as kstatus defines them, and
// Healthy when spec.wait is set. Failures that a retry may fix (a source
// without artifact, a dependency not Ready, a failed download or apply)
// leave Reconciling True and retry after spec.retryInterval; failures that
// need a change of the Sync or of its source (an invalid path or manifest,
// a denied cross-namespace reference, an unusable service account or
// kubeconfig) mark it Stalled and retry at spec.interval.
//
// A Sync waiting on spec.dependsOn is reconciled as soon as one of its
// dependencies becomes Ready for its generation (Syncs are indexed by the
// names they depend on); spec.retryInterval stays the fallback.
//
// # Events
//
// A successful reconcile that changed objects emits an info event listing
// them. A failure emits an error event only when it changes the Ready
// condition's status, reason or message, so a Sync failing the same way at
// every retry emits one event; waiting for a dependency or for an artifact
// emits none. The per-attempt work folder is kept out of messages.
//
// # Concurrency
//
// A SyncReconciler is safe for concurrent reconciles of different Syncs,
// which controller-runtime guarantees.
package applier
