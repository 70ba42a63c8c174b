package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// EventSeverity selects the events an Alert forwards.
//
// +kubebuilder:validation:Enum=info;error
type EventSeverity string

// The values of [EventSeverity].
const (
	// SeverityInfo forwards info and error events.
	SeverityInfo EventSeverity = "info"

	// SeverityError forwards error events only.
	SeverityError EventSeverity = "error"
)

// SummaryMetadataKey is the metadata key under which a forwarded event
// carries the Alert's spec.summary.
const SummaryMetadataKey = "summary"

// AlertSpec is the desired state of an Alert.
type AlertSpec struct {
	// ProviderRef names the Provider, in the same namespace, that matching
	// events are sent to.
	// +required
	ProviderRef meta.LocalObjectReference `json:"providerRef"`

	// EventSeverity is the lowest severity forwarded: info forwards info
	// and error events, error only error events. Default: info.
	// +kubebuilder:default=info
	// +optional
	EventSeverity EventSeverity `json:"eventSeverity,omitempty"`

	// EventSources lists the objects whose events are forwarded. An event
	// matches a source when its involved object has the source's kind,
	// the name (or any name for "*", narrowed by matchLabels), the
	// namespace (default the Alert's) and, when given, the API version.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +required
	EventSources []CrossNamespaceObjectReference `json:"eventSources"`

	// InclusionList holds regular expressions (Go RE2 syntax): when not
	// empty, only events whose message matches one are forwarded. Default:
	// none (every message).
	// +kubebuilder:validation:MaxItems=100
	// +optional
	InclusionList []string `json:"inclusionList,omitempty"`

	// ExclusionList holds regular expressions (Go RE2 syntax): events
	// whose message matches one are dropped, after InclusionList. Default:
	// none.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	ExclusionList []string `json:"exclusionList,omitempty"`

	// EventMetadata is added to the metadata of every forwarded event; the
	// event's own metadata wins on a conflict. Default: none.
	// +optional
	EventMetadata map[string]string `json:"eventMetadata,omitempty"`

	// Summary is added to every forwarded event's metadata under the key
	// "summary". Default: none.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Summary string `json:"summary,omitempty"`

	// Suspend stops forwarding. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// AlertStatus is the observed state of an Alert.
type AlertStatus struct {
	NotificationStatus `json:",inline"`
}

// Alert forwards the events of selected objects to a Provider.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.providerRef.name`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Alert struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec AlertSpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status AlertStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *Alert) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *Alert) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// AlertList is a list of Alerts.
//
// +kubebuilder:object:root=true
type AlertList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Alerts.
	Items []Alert `json:"items"`
}
