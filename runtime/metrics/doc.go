// Package metrics records Prometheus metrics about the objects a Sluice
// controller reconciles: how long each reconciliation took, the status of
// its conditions and whether it is suspended.
//
// A controller creates one [Recorder] at start-up and calls it from its
// reconciler:
//
//	rec, err := metrics.NewRecorder() // registers on controller-runtime's registry
//	...
//	func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
//		start := time.Now()
//		obj := &v1.MyKind{}
//		...
//		defer func() {
//			r.Metrics.RecordDuration(obj, start)
//			r.Metrics.RecordConditions(obj)
//			r.Metrics.RecordSuspend(obj, obj.Spec.Suspend)
//		}()
//	}
//
// # Metrics
//
// Every series carries the labels kind, namespace and name of the object.
//
//	sluice_reconcile_duration_seconds   histogram  duration of a reconciliation
//	sluice_reconcile_condition          gauge      1 for the status a condition
//	                                               has (label status), 0 for the
//	                                               others; label type
//	sluice_suspend_status               gauge      1 when the object is suspended
//
// The object's kind is its TypeMeta kind, or, for typed objects read
// through a client (which clear TypeMeta), the kind the [WithScheme] scheme
// gives, or else the Go type name.
//
// Nothing is registered when the package is imported: [NewRecorder]
// registers the collectors on the [WithRegisterer] registry. When an object
// is deleted, its series go away: call [Recorder.Delete], or let the record
// calls do it, since they delete instead of record for an object whose
// deletion timestamp is set. An object deleted without a finalizer is
// usually seen only as a NotFound answer to the request's key: call
// [Recorder.DeleteKey] with its kind ([Recorder.Kind] of an empty object)
// and that key.
//
// # Concurrency
//
// A Recorder is safe for concurrent use.
//
// # Errors
//
// [NewRecorder] fails when a collector cannot be registered, for example
// prometheus.AlreadyRegisteredError when a second Recorder uses the same
// registry.
package metrics
