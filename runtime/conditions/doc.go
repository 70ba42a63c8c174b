// Package conditions reads and writes the kstatus conditions of Sluice
// objects and checks that an object's status follows kstatus.
//
// Every helper works on [meta.ObjectWithConditions] (read) or
// [meta.ObjectWithConditionsSetter] (write), so it applies to any API type
// with a GetConditions/SetConditions pair. The call a controller needs most
// is a Mark function followed by [SetSummary]:
//
//	conditions.MarkReconciling(obj, meta.ProgressingReason, "fetching revision %s", rev)
//	// ... do the work ...
//	conditions.MarkTrue(obj, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored %s", rev)
//	conditions.Delete(obj, meta.ReconcilingCondition)
//	conditions.SetSummary(obj, conditions.SummaryOptions{Conditions: []string{meta.ArtifactInStorageCondition}})
//
// [Set] and the Mark functions stamp each condition with the object's
// metadata.generation and move LastTransitionTime only when the status
// changes. Reconciling and Stalled are "abnormal-true": they are present
// only while True, and [MarkReconciling] and [MarkStalled] remove each
// other, because kstatus forbids both being True.
//
// [CheckKstatus] reports, as a [*KstatusError] listing every [Violation],
// whether an object's conditions follow those rules; it is meant for tests
// and for controllers that want to assert their own output.
//
// # Concurrency
//
// The functions hold no state of their own. Like any mutation of an API
// object, calls that change the same object must not run concurrently.
//
// # Errors
//
// Only [CheckKstatus] returns errors: nil when the object follows kstatus,
// otherwise a [*KstatusError] that matches [ErrKstatusViolation] with
// errors.Is.
package conditions
