package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// NotificationStatus is the status every notification kind shares.
type NotificationStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are the kstatus-standard conditions: Ready, Reconciling
	// and Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// CrossNamespaceObjectReference names one object, or with Name "*" every
// object of a kind whose labels match MatchLabels.
type CrossNamespaceObjectReference struct {
	// APIVersion of the referent, such as "source.sluice.dev/v1". Empty
	// (the default) matches any version for an Alert event source, and is
	// required for a Receiver resource.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the referent, such as "GitRepository".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Z][A-Za-z0-9]*$`
	// +required
	Kind string `json:"kind"`

	// Name of the referent, or "*" for every object of Kind (narrowed by
	// MatchLabels).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$`
	// +required
	Name string `json:"name"`

	// Namespace of the referent. Empty (the default) means the namespace
	// of the object that holds the reference.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// MatchLabels narrows Name "*" to the objects carrying all these
	// labels. Default: none (every object of the kind).
	// +optional
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}
