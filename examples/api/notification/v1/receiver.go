package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ReceiverType says how a Receiver authenticates calls.
//
// +kubebuilder:validation:Enum=generic;generic-hmac;github
type ReceiverType string

// The values of [ReceiverType].
const (
	// ReceiverGeneric accepts any POST to the webhook path: the path,
	// derived from the token, is the secret.
	ReceiverGeneric ReceiverType = "generic"

	// ReceiverGenericHMAC also requires an X-Signature header
	// "sha256=<hex>" holding the HMAC-SHA256 of the body keyed with the
	// token.
	ReceiverGenericHMAC ReceiverType = "generic-hmac"

	// ReceiverGitHub requires GitHub's X-Hub-Signature-256 header, keyed
	// with the token (the webhook's secret), and answers ping events
	// without requesting a reconciliation.
	ReceiverGitHub ReceiverType = "github"
)

// ReceiverTokenKey is the key of the token in a Receiver's Secret.
const ReceiverTokenKey = "token"

// ReceiverSpec is the desired state of a Receiver.
type ReceiverSpec struct {
	// Type says how calls are authenticated. Default: generic.
	// +kubebuilder:default=generic
	// +optional
	Type ReceiverType `json:"type,omitempty"`

	// Resources lists the objects annotated with
	// reconcile.sluice.dev/requestedAt on a valid call. APIVersion is
	// required; Namespace defaults to the Receiver's.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +required
	Resources []CrossNamespaceObjectReference `json:"resources"`

	// SecretRef names a Secret in the same namespace whose "token" key is
	// the shared secret: the webhook path is derived from it, and
	// generic-hmac and github calls are signed with it.
	// +required
	SecretRef meta.LocalObjectReference `json:"secretRef"`

	// Interval between reconciliations; a changed token is picked up at once
	// through a watch on the Secret, the interval is a fallback.
	// Default: 10m.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="10m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Suspend stops reconciliation and makes the webhook answer 503.
	// Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ReceiverStatus is the observed state of a Receiver.
type ReceiverStatus struct {
	NotificationStatus `json:",inline"`

	// WebhookPath is the path, "/hook/<sha256 hex>", the receiver server
	// answers on for this Receiver. Empty (the default) until the Receiver
	// is Ready.
	// +optional
	WebhookPath string `json:"webhookPath,omitempty"`
}

// Receiver is an incoming webhook that, on a valid call, asks for the
// reconciliation of its target resources.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Path",type=string,JSONPath=`.status.webhookPath`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Receiver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec ReceiverSpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status ReceiverStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *Receiver) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *Receiver) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// ReceiverList is a list of Receivers.
//
// +kubebuilder:object:root=true
type ReceiverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Receivers.
	Items []Receiver `json:"items"`
}
