package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GadgetSpec is the desired state of a Gadget.
type GadgetSpec struct {
	// Size is how big the gadget is.
	// +kubebuilder:validation:Minimum=1
	Size int32 `json:"size"`

	// Tags label the gadget.
	// +optional
	Tags []string `json:"tags,omitempty"`
}

// Gadget is the fixture's only kind.
//
// +kubebuilder:object:root=true
type Gadget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec GadgetSpec `json:"spec"`
}

// GadgetList is a list of Gadgets.
//
// +kubebuilder:object:root=true
type GadgetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []Gadget `json:"items"`
}
