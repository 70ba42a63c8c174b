package testapi

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// Group is the API group of Widget.
	Group = "test.sluice.dev"
	// Version is the API version of Widget.
	Version = "v1alpha1"
)

// GroupVersion returns the group and version of Widget.
func GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: Group, Version: Version}
}

// AddToScheme registers Widget and WidgetList with s. It never fails; the
// error is there to match the usual AddToScheme signature.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion(), &Widget{}, &WidgetList{})
	metav1.AddToGroupVersion(s, GroupVersion())
	return nil
}

// WidgetSpec is the desired state of a Widget.
type WidgetSpec struct {
	// Value is copied into status.value by the test reconciler. Empty by
	// default; at most 1024 characters.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Value string `json:"value,omitempty"`

	// FailCleanup makes the test reconciler's finalizer cleanup fail.
	// Defaults to false.
	// +optional
	FailCleanup bool `json:"failCleanup,omitempty"`
}

// WidgetStatus is the observed state of a Widget.
type WidgetStatus struct {
	// ObservedGeneration is the last generation the controller reconciled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Value is the last spec.value the controller reconciled.
	// +optional
	Value string `json:"value,omitempty"`

	// Conditions are the kstatus conditions of the Widget.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// Widget is a test-only custom resource with a status subresource.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state; empty by default.
	// +optional
	Spec WidgetSpec `json:"spec,omitempty"`

	// Status is the observed state; empty until the test reconciler
	// writes it.
	// +optional
	Status WidgetStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions of the Widget.
func (w *Widget) GetConditions() []metav1.Condition { return w.Status.Conditions }

// SetConditions replaces the status conditions of the Widget.
func (w *Widget) SetConditions(c []metav1.Condition) { w.Status.Conditions = c }

// WidgetList is a list of Widgets.
//
// +kubebuilder:object:root=true
type WidgetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Widgets.
	Items []Widget `json:"items"`
}
