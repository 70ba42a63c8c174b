package v1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// SyncFinalizer is the finalizer the applier puts on a Sync, so that the
// objects it applied are pruned when the Sync is deleted.
const SyncFinalizer = Group + "/finalizer"

// Reasons a Sync's conditions carry besides those of apis/meta.
const (
	// BuildFailedReason: the manifests at spec.path could not be read or
	// the kustomize overlay could not be built.
	BuildFailedReason = "BuildFailed"
	// PruneFailedReason: deleting objects that left the source failed.
	PruneFailedReason = "PruneFailed"
	// SourceNotFoundReason: the source spec.sourceRef names does not exist.
	SourceNotFoundReason = "SourceNotFound"
	// ArtifactNotReadyReason: the source has no artifact yet.
	ArtifactNotReadyReason = "ArtifactNotReady"
)

// SourceReference names the source a Sync applies from.
type SourceReference struct {
	// Kind of the source.
	// +kubebuilder:validation:Enum=GitRepository;OCIRepository
	// +required
	Kind string `json:"kind"`

	// Name of the source.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`

	// Namespace of the source. Empty (the default) means the Sync's own
	// namespace; another namespace is a cross-namespace reference, allowed
	// only when the source's spec.accessFrom selects the Sync's namespace
	// and the controller does not run with --no-cross-namespace-refs.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// SyncSpec is the desired state of a Sync.
type SyncSpec struct {
	// SourceRef names the source whose artifact is applied.
	// +required
	SourceRef SourceReference `json:"sourceRef"`

	// Path of the manifests within the artifact. When the folder holds a
	// kustomization.yaml it is built as a kustomize overlay; otherwise every
	// YAML and JSON file under it is read. Default: the artifact's root.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Path string `json:"path,omitempty"`

	// Interval between reconciliations.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +required
	Interval metav1.Duration `json:"interval"`

	// RetryInterval is the wait before a retry after a failed
	// reconciliation. Nil (the default) means Interval.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +optional
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`

	// Timeout bounds one reconciliation: fetching, building, applying,
	// pruning and waiting. Nil (the default) means Interval.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Prune deletes the objects that left the source, and every applied
	// object when the Sync is deleted (unless it is suspended then).
	// Defaults to true.
	// +kubebuilder:default=true
	// +optional
	Prune *bool `json:"prune,omitempty"`

	// Wait waits, within Timeout, until every applied object is healthy
	// (Current by kstatus) and reports it in the Healthy condition.
	// Default: false.
	// +optional
	Wait bool `json:"wait,omitempty"`

	// Suspend stops reconciliation. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// DependsOn lists Syncs of the same namespace that must be Ready, for
	// their current generation, before this one is applied. Default: none.
	// +kubebuilder:validation:MaxItems=100
	// +listType=atomic
	// +optional
	DependsOn []meta.LocalObjectReference `json:"dependsOn,omitempty"`

	// ServiceAccountName is the service account of the Sync's namespace
	// the controller impersonates to apply, so that its RBAC decides what
	// the Sync may change. Empty (the default) means the controller's
	// --default-service-account, or the controller's own identity when
	// that is empty too.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// KubeConfig names a Secret of the Sync's namespace holding a
	// kubeconfig, to apply to another cluster. Nil (the default) means the
	// controller's own cluster.
	// +optional
	KubeConfig *meta.KubeConfigReference `json:"kubeConfig,omitempty"`

	// TargetNamespace sets the namespace of every namespaced object
	// applied. Empty (the default) keeps the namespaces of the manifests,
	// and puts namespaced objects that have none in the Sync's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +optional
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// Force deletes and recreates an object whose change the apiserver
	// rejects because it touches an immutable field. Default: false, such
	// an apply fails (a reconcile request with the force annotation forces
	// once).
	// +optional
	Force bool `json:"force,omitempty"`
}

// InventoryEntry is one object a Sync applied.
type InventoryEntry struct {
	// ID is "<namespace>_<name>_<group>_<kind>".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	ID string `json:"id"`

	// Version is the version part of the API version the object was
	// applied with, such as "v1". Empty (the default) means unknown.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Version string `json:"v,omitempty"`
}

// Inventory lists the objects a Sync applied, sorted by ID.
type Inventory struct {
	// Entries are the objects. Default: none.
	// +listType=atomic
	// +optional
	Entries []InventoryEntry `json:"entries,omitempty"`
}

// SyncStatus is the observed state of a Sync.
type SyncStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are the kstatus-standard conditions: Ready, Reconciling,
	// Stalled, plus Healthy when spec.wait is set.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LastAppliedRevision is the source revision last applied
	// successfully. Empty (the default) means none yet.
	// +optional
	LastAppliedRevision string `json:"lastAppliedRevision,omitempty"`

	// LastAttemptedRevision is the source revision of the last attempt,
	// successful or not. Empty (the default) means none yet.
	// +optional
	LastAttemptedRevision string `json:"lastAttemptedRevision,omitempty"`

	// Inventory lists the objects applied, which a later reconciliation
	// prunes when they leave the source. Nil (the default) means none.
	// +optional
	Inventory *Inventory `json:"inventory,omitempty"`
}

// Sync applies the manifests of a source's artifact to the cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Revision",type=string,JSONPath=`.status.lastAppliedRevision`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Sync struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec SyncSpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status SyncStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *Sync) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *Sync) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// PruneEnabled reports whether spec.prune is on; nil means true.
func (in *Sync) PruneEnabled() bool { return in.Spec.Prune == nil || *in.Spec.Prune }

// RetryInterval returns spec.retryInterval, or spec.interval when unset.
func (in *Sync) RetryInterval() time.Duration {
	if in.Spec.RetryInterval != nil && in.Spec.RetryInterval.Duration > 0 {
		return in.Spec.RetryInterval.Duration
	}
	return in.Spec.Interval.Duration
}

// Timeout returns spec.timeout, or spec.interval when unset.
func (in *Sync) Timeout() time.Duration {
	if in.Spec.Timeout != nil && in.Spec.Timeout.Duration > 0 {
		return in.Spec.Timeout.Duration
	}
	return in.Spec.Interval.Duration
}

// SourceNamespace returns the namespace of the source: spec.sourceRef's,
// or the Sync's own when unset.
func (in *Sync) SourceNamespace() string {
	if in.Spec.SourceRef.Namespace != "" {
		return in.Spec.SourceRef.Namespace
	}
	return in.Namespace
}

// SyncList is a list of Syncs.
//
// +kubebuilder:object:root=true
type SyncList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Syncs.
	Items []Sync `json:"items"`
}
