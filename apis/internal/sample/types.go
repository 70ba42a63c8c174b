package sample

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
)

// Group and Version of the Sample API.
const (
	// Group is the API group of Sample.
	Group = "sample.sluice.dev"

	// Version is the API version of Sample.
	Version = "v1"
)

// GroupVersion returns sample.sluice.dev/v1.
func GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: Group, Version: Version}
}

// AddToScheme registers Sample and SampleList in s.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion(), &Sample{}, &SampleList{})
	metav1.AddToGroupVersion(s, GroupVersion())
	return nil
}

// Mode says how a Sample applies its source.
//
// +kubebuilder:validation:Enum=Apply;Replace;Orphan
type Mode string

// The values of [Mode].
const (
	// ModeApply applies the source with server-side apply.
	ModeApply Mode = "Apply"

	// ModeReplace replaces the objects of the source.
	ModeReplace Mode = "Replace"

	// ModeOrphan leaves the objects of the source alone on deletion.
	ModeOrphan Mode = "Orphan"
)

// Spec is the desired state of a Sample.
type Spec struct {
	// SourceRef names the source object in the Sample's namespace.
	// +required
	SourceRef meta.LocalObjectReference `json:"sourceRef"`

	// SecretRef names the Secret key that holds credentials. Nil (the
	// default) means anonymous access.
	// +optional
	SecretRef *meta.SecretKeyReference `json:"secretRef,omitempty"`

	// TargetRef names the object the Sample acts on, possibly of another
	// kind and in another namespace. Nil (the default) means the Sample
	// itself.
	// +optional
	TargetRef *meta.NamespacedObjectReference `json:"targetRef,omitempty"`

	// KubeConfig points at the kubeconfig of a remote cluster. Nil (the
	// default) means the cluster the Sample lives in.
	// +optional
	KubeConfig *meta.KubeConfigReference `json:"kubeConfig,omitempty"`

	// AccessFrom lists the namespaces whose objects may refer to this
	// Sample. Nil (the default) grants no cross-namespace access.
	// +optional
	AccessFrom *acl.AccessFrom `json:"accessFrom,omitempty"`

	// Interval between reconciliations.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +required
	Interval metav1.Duration `json:"interval"`

	// Timeout of one reconciliation. Defaults to 5m.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="5m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Mode of application. Defaults to Apply.
	// +kubebuilder:default=Apply
	// +optional
	Mode Mode `json:"mode,omitempty"`

	// Path inside the source, at most 1024 characters. Empty (the
	// default) means the root.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Path string `json:"path,omitempty"`
}

// Status is the observed state of a Sample.
type Status struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are the kstatus-standard conditions of the Sample.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Artifact is the last artifact built. Nil (the default) means none yet.
	// +optional
	Artifact *meta.Artifact `json:"artifact,omitempty"`
}

// Sample is the sample CRD type.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
type Sample struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec Spec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status Status `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *Sample) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *Sample) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// SampleList is a list of Samples. Kubernetes derives the list kind from
// the kind, so the name stutters by necessity.
//
// +kubebuilder:object:root=true
type SampleList struct { //nolint:revive // the list kind of Sample must be SampleList
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Samples.
	Items []Sample `json:"items"`
}
