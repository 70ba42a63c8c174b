package meta

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Condition types that every Sluice object reports, following the kstatus
// standard (sigs.k8s.io/cli-utils/pkg/kstatus):
//
//   - Ready is the summary: True when the object's desired state is
//     reached for its current generation, False when it failed, Unknown
//     while it is being worked on.
//   - Reconciling ("abnormal-true" polarity) is True while the controller
//     is working towards the desired state and absent otherwise.
//   - Stalled ("abnormal-true" polarity) is True when the controller has
//     given up on the current generation until something changes, and
//     absent otherwise. Reconciling and Stalled are never both True.
const (
	// ReadyCondition is the summary condition of an object.
	ReadyCondition string = "Ready"

	// ReconcilingCondition is True while the controller works towards the
	// desired state of the current generation.
	ReconcilingCondition string = "Reconciling"

	// StalledCondition is True when the controller cannot make progress on
	// the current generation without a change to the object or its inputs.
	StalledCondition string = "Stalled"

	// HealthyCondition reports the health of the resources an object
	// manages, when the controller checks it.
	HealthyCondition string = "Healthy"

	// ArtifactInStorageCondition reports whether the object's artifact is in
	// storage and served.
	ArtifactInStorageCondition string = "ArtifactInStorage"

	// SourceVerifiedCondition reports the outcome of a signature or digest
	// verification of a source.
	SourceVerifiedCondition string = "SourceVerified"

	// FetchFailedCondition ("abnormal-true") is True when fetching the
	// source failed.
	FetchFailedCondition string = "FetchFailed"
)

// Reasons carried by the standard conditions. A reason is CamelCase, names
// the outcome rather than the condition, and stays stable across releases:
// users alert on it.
const (
	// SucceededReason: the operation completed successfully.
	SucceededReason string = "Succeeded"

	// FailedReason: the operation failed; the message says why.
	FailedReason string = "Failed"

	// ProgressingReason: the controller is working on the current
	// generation.
	ProgressingReason string = "Progressing"

	// ProgressingWithRetryReason: an attempt failed and the controller will
	// retry.
	ProgressingWithRetryReason string = "ProgressingWithRetry"

	// SuspendedReason: the object is suspended and not reconciled.
	SuspendedReason string = "Suspended"

	// DependencyNotReadyReason: an object this one depends on is not Ready.
	DependencyNotReadyReason string = "DependencyNotReady"

	// ReconciliationSucceededReason: the reconciliation reached the desired
	// state.
	ReconciliationSucceededReason string = "ReconciliationSucceeded"

	// ReconciliationFailedReason: the reconciliation did not reach the
	// desired state.
	ReconciliationFailedReason string = "ReconciliationFailed"

	// HealthCheckFailedReason: the managed resources did not become healthy
	// in time.
	HealthCheckFailedReason string = "HealthCheckFailed"

	// ArtifactFailedReason: building or storing the artifact failed.
	ArtifactFailedReason string = "ArtifactFailed"

	// VerificationFailedReason: a signature or digest did not verify.
	VerificationFailedReason string = "VerificationFailed"

	// InvalidURLReason: a URL in the spec is malformed or not allowed.
	InvalidURLReason string = "InvalidURL"

	// InsecureConnectionsDisallowedReason: the spec asks for plain HTTP and
	// the controller forbids it.
	InsecureConnectionsDisallowedReason string = "InsecureConnectionsDisallowed"

	// AccessDeniedReason: a cross-namespace reference is not allowed.
	AccessDeniedReason string = "AccessDenied"

	// AuthenticationFailedReason: credentials were missing or refused.
	AuthenticationFailedReason string = "AuthenticationFailed"

	// InvalidConfigReason: the spec or a referenced Secret is unusable; the
	// controller will not retry until it changes (Stalled).
	InvalidConfigReason string = "InvalidConfig"

	// FinalizedReason: the object's cleanup succeeded and its finalizer was
	// removed; the object is going away (Ready False). runtime/reconcile's
	// Finalize sets it.
	FinalizedReason string = "Finalized"

	// FinalizationFailedReason: the object's cleanup failed; the finalizer
	// stays and the cleanup is retried (Ready False).
	FinalizationFailedReason string = "FinalizationFailed"

	// ConditionMissingReason: a condition mirrored from another object
	// (runtime/conditions.Mirror) is absent there (status Unknown).
	ConditionMissingReason string = "ConditionMissing"
)

// An AccessDenied condition's message names why access was denied with one
// of these details, which runtime/acl's AccessDeniedError carries as its
// Reason. They are not condition reasons themselves.
const (
	// CrossNamespaceRefsDisabledDetail: the operator turned cross-namespace
	// references off.
	CrossNamespaceRefsDisabledDetail string = "CrossNamespaceRefsDisabled"

	// NoAccessFromDetail: the target grants no cross-namespace access.
	NoAccessFromDetail string = "NoAccessFrom"

	// NamespaceNotSelectedDetail: the target's AccessFrom does not select
	// the referring object's namespace.
	NamespaceNotSelectedDetail string = "NamespaceNotSelected"
)

// ObjectWithConditions is a Kubernetes object that reports status
// conditions.
type ObjectWithConditions interface {
	metav1.Object
	runtime.Object

	// GetConditions returns the status conditions. Callers must not modify
	// the returned slice.
	GetConditions() []metav1.Condition
}

// ObjectWithConditionsSetter is an [ObjectWithConditions] whose conditions
// can be replaced.
type ObjectWithConditionsSetter interface {
	ObjectWithConditions

	// SetConditions replaces the status conditions.
	SetConditions([]metav1.Condition)
}
