// Package predicates holds controller-runtime predicates that decide which
// object changes start a Sluice reconciliation.
//
// Most controllers need one call:
//
//	ctrl.NewControllerManagedBy(mgr).
//		For(&v1.MyKind{}, builder.WithPredicates(predicates.GenerationOrReconcileRequested())).
//		Complete(r)
//
// so that a reconciliation starts when the spec changes (a new
// metadata.generation) or when a user sets the
// reconcile.sluice.dev/requestedAt annotation ([meta.ReconcileRequestAnnotation])
// to a new value, and not on status-only or unrelated metadata updates.
//
// Create, delete and generic events always pass: the predicates here filter
// updates only.
//
// # Concurrency
//
// Predicates are stateless values, safe for concurrent use.
package predicates
