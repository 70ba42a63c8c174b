// Package ssa is Sluice's server-side-apply resource manager: it applies
// sets of Kubernetes objects for a GitOps controller, reports what changed,
// and does as few requests as it can doing so.
//
// A [ResourceManager] applies on behalf of an [Owner]: the field manager
// the apiserver records, and the group of the labels that mark objects as
// the owner's. Objects are named by [ObjectID], which is independent of API
// versions.
//
//	m, err := ssa.New(c, ssa.Owner{Field: "sluice", Group: "sluice.example.com", Name: "apps", Namespace: "flux-system"})
//	if err != nil {
//		return err
//	}
//	changes, err := m.ApplyAll(ctx, objects, ssa.ApplyOptions{})
//	fmt.Println(changes) // one "<Kind>/<namespace>/<name> <action>" line per object
//
// # Applying
//
// [ResourceManager.ApplyAll] applies in two stages so that one call can
// install CRDs and their custom resources: CRDs, Namespaces, ClusterRoles
// and *Class kinds first ([IsDefinition]), waiting for the CRDs to be
// Established and, for a CRD it created or changed, until the client's
// RESTMapper maps every version the CRD serves (discovery lags a moment
// behind Established), then the rest, in the documented order of
// [SortByApplyOrder]. It returns a [ChangeSet] with one [Action] per
// object: Created, Configured, Unchanged or Skipped.
//
// Unchanged is exact and cheap. The live objects are read with one List
// per kind and namespace; an object is Unchanged when its hash annotation
// ([HashAnnotationSuffix]) records the desired configuration and the
// managedFields entry of the owner's field manager holds exactly the
// desired fields. Server defaults are not drift; a field that another
// manager changed or removed is, because the apiserver then takes it out of
// the owner's entry. A no-op re-apply of a thousand ConfigMaps in one
// namespace is a single request. [ResourceManager.Diff] shows, with a
// server-side dry run, what an apply would change.
//
// An apply the apiserver rejects because it changes an immutable field
// fails with an [*ImmutableFieldError], or recreates the object when
// [ApplyOptions.Force] or the object's force setting ([ForceKeySuffix])
// allows it. [IgnoreRule]s keep fields that belong to other controllers
// (an autoscaler's replicas) out of the apply and out of drift. The
// reconcile setting ([ReconcileKeySuffix]) excludes an object and the
// IfNotPresent apply policy ([ApplyPolicyKeySuffix]) creates it only once.
// Fields set by kubectl's client-side apply, and by the managers named in
// [WithTakeOverManagers], are taken over; kubectl's last-applied
// annotation is removed.
//
// # Waiting, deleting and pruning
//
// [ResourceManager.Wait] waits until objects are Current by kstatus,
// watching each kind and namespace once, and fails fast on Failed or
// Stalled objects when asked. [ResourceManager.Delete] deletes a set in
// reverse apply order; [ResourceManager.WaitForTermination] waits until it
// is gone. An [Inventory] records what an apply left in the cluster;
// [Inventory.Diff] gives what a newer apply no longer holds, and
// [ResourceManager.Prune] deletes only those of them that still carry the
// owner's labels. Package [github.com/sluice-dev/sluice/ssa/manifest] reads
// manifests and defines the apply order.
//
// # Concurrency
//
// A ResourceManager is safe for concurrent use. Within a call it keeps at
// most [WithConcurrency] requests in flight; the client's rate limits apply
// on top. Do not apply overlapping sets from two callers at once.
//
// # Errors
//
// Bad input fails before any request, wrapping [ErrInvalidObject],
// [ErrInvalidApplyOptions] or [ErrInvalidOwner]. Failures of single
// objects name the object and wrap the apiserver's error, which
// k8s.io/apimachinery/pkg/api/errors recognizes; an [*ImmutableFieldError]
// will fail again if retried unchanged.
package ssa
