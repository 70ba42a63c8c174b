// Package source holds the reconcilers of the example source controller:
// GitRepositoryReconciler and OCIRepositoryReconciler of the
// source.sluice.dev/v1 API. Each fetches its source (a Git clone, an OCI
// pull), optionally verifies its signatures, stores the content as a
// reproducible tar.gz artifact in a storage.Storage that serves it over HTTP,
// and records the artifact, with its RFC-0005 revision and its digest, in
// status.artifact.
//
// Construct a reconciler with a client and a storage and register it:
//
//	st, err := storage.New("/data", "http://source-controller.ns.svc")
//	err = (&source.GitRepositoryReconciler{Client: mgr.GetClient(), Storage: st}).SetupWithManager(mgr)
//
// # Status
//
// The objects follow kstatus. A new generation is first marked Reconciling
// (one status write), then reconciled; every reconcile ends with one status
// write through runtime/patch holding Ready (True, or False with the reason of
// the failure), ArtifactInStorage, SourceVerified when verification is on,
// FetchFailed while fetching fails, and Reconciling (ProgressingWithRetry)
// while a failure is retried or Stalled when it cannot be fixed without a
// change: an unusable URL, a plain-HTTP URL the insecure-HTTP policy forbids,
// unusable credentials or verification settings. Stalled objects are looked at
// again at their interval, since the Secrets they refer to are not watched.
//
// A finalizer (Finalizer) removes an object's artifacts from the storage when
// it is deleted. spec.suspend stops reconciling; the reconcile.sluice.dev/requestedAt
// annotation asks for a reconcile outside the interval; spec.timeout bounds
// each fetch (DefaultTimeout when unset).
package source
