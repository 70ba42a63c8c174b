// Package runtime is the root of Sluice's controller-runtime helpers. It
// holds no code itself; the helpers live in sub-packages:
//
//   - conditions: get, set and summarise kstatus conditions, and check that
//     an object's status follows kstatus.
//   - patch: write metadata, spec and the whole status in one request per
//     reconcile, resolving conflicts on owned conditions.
//   - reconcile: jittered requeues, terminal versus retryable errors, and a
//     finalizer step that sets Ready from the cleanup's outcome.
//   - events: Kubernetes events plus the standard event payload posted to a
//     notification receiver.
//   - metrics: reconcile-duration, condition and suspend metrics.
//   - predicates: reconcile-requested and generation-or-annotation
//     predicates.
//   - acl: authorise cross-namespace references.
//   - impersonation: clients that act as a tenant's service account or come
//     from a kubeconfig Secret.
//   - flags: option structs with BindFlags for a controller's main.go.
//
// It depends on the apis module, controller-runtime and client-go; see
// README.md for the shortest real use of each package.
package runtime
