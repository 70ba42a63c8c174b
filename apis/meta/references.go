package meta

// LocalObjectReference names an object in the namespace of the object that
// holds the reference.
//
// +kubebuilder:object:generate=true
type LocalObjectReference struct {
	// Name of the referent.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`
}

// NamespacedObjectReference names an object, possibly of another kind and
// in another namespace. Whether a controller follows a reference into
// another namespace is its access-control decision, not this type's.
//
// +kubebuilder:object:generate=true
type NamespacedObjectReference struct {
	// APIVersion of the referent: a version ("v1"), or a group, '/' and a
	// version ("source.sluice.dev/v1"), the group a DNS-1123 subdomain and
	// the version a DNS-1035 label. Empty (the default) means the version
	// the referring API documents.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-z]([-a-z0-9]*[a-z0-9])?$`
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the referent, such as "GitRepository". Empty (the default)
	// means the kind the referring API documents.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Z][A-Za-z0-9]*$`
	// +optional
	Kind string `json:"kind,omitempty"`

	// Name of the referent.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`

	// Namespace of the referent. It has no default: a reference that
	// stays in its own namespace uses a LocalObjectReference.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +required
	Namespace string `json:"namespace"`
}

// SecretKeyReference names one key of a Secret in the namespace of the
// object that holds the reference.
//
// +kubebuilder:object:generate=true
type SecretKeyReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`

	// Key in the Secret's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +required
	Key string `json:"key"`
}

// KubeConfigReference points at a kubeconfig stored in a Secret, for
// controllers that act on a remote cluster.
//
// +kubebuilder:object:generate=true
type KubeConfigReference struct {
	// SecretRef names the Secret and the key that holds the kubeconfig.
	// +required
	SecretRef SecretKeyReference `json:"secretRef"`
}
