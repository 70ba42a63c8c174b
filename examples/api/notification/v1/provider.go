package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ProviderType says how a Provider delivers notifications.
//
// +kubebuilder:validation:Enum=generic;generic-hmac
type ProviderType string

// The values of [ProviderType].
const (
	// ProviderGeneric posts the event as JSON; a token in the Provider's
	// Secret is sent as a bearer token.
	ProviderGeneric ProviderType = "generic"

	// ProviderGenericHMAC posts the event as JSON with an X-Signature
	// header "sha256=<hex>" holding the HMAC-SHA256 of the body keyed with
	// the token of the Provider's Secret, which is required.
	ProviderGenericHMAC ProviderType = "generic-hmac"
)

// Keys a Provider reads from its Secrets.
const (
	// ProviderAddressKey in the Provider's secretRef overrides
	// spec.address, for addresses that embed credentials.
	ProviderAddressKey = "address"

	// ProviderTokenKey in the Provider's secretRef is the bearer token
	// (generic) or the HMAC key (generic-hmac).
	ProviderTokenKey = "token"

	// CACertKey in the Provider's certSecretRef holds the PEM CA
	// certificates trusted for the address.
	CACertKey = "ca.crt"
)

// ProviderSpec is the desired state of a Provider.
type ProviderSpec struct {
	// Type says how notifications are delivered. Default: generic.
	// +kubebuilder:default=generic
	// +optional
	Type ProviderType `json:"type,omitempty"`

	// Address is the http(s) URL notifications are posted to. It is
	// required unless the Secret named by SecretRef has an "address" key.
	// Default: none.
	// +kubebuilder:validation:Pattern=`^https?://.+$`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Address string `json:"address,omitempty"`

	// SecretRef names a Secret in the same namespace with the keys
	// "address" (overrides Address) and "token" (bearer token, or HMAC key
	// for generic-hmac). Nil (the default) means none; generic-hmac needs
	// one.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// CertSecretRef names a Secret in the same namespace whose "ca.crt"
	// holds the PEM CA certificates trusted for Address. Nil (the default)
	// means the system roots.
	// +optional
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`

	// Timeout of one delivery attempt. Default: 15s.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m))+$`
	// +kubebuilder:default="15s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Suspend stops reconciliation and delivery. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ProviderStatus is the observed state of a Provider.
type ProviderStatus struct {
	NotificationStatus `json:",inline"`
}

// Provider is a destination of notifications: a generic webhook, optionally
// HMAC-signed.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Provider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec ProviderSpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status ProviderStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *Provider) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *Provider) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// ProviderList is a list of Providers.
//
// +kubebuilder:object:root=true
type ProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Providers.
	Items []Provider `json:"items"`
}
