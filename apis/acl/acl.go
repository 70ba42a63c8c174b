package acl

// Limits of an [AccessFrom], enforced by the apiserver through the
// markers on its fields (the CRD of every type that embeds it carries
// them). Each value is spelled, digit for digit, in those markers.
const (
	// MaxNamespaceSelectors is the most selectors an [AccessFrom] holds: 16.
	MaxNamespaceSelectors = 16

	// MaxMatchLabels is the most labels a [NamespaceSelector] matches on: 16.
	MaxMatchLabels = 16

	// LabelKeyMaxLength is the longest label key a [NamespaceSelector]
	// accepts: 317 characters, a 253-character DNS-1123 subdomain prefix,
	// '/' and a 63-character name, the longest key Kubernetes allows on a
	// namespace. The apiserver also checks the key's grammar (a qualified
	// name, with the CEL format library of Kubernetes 1.31 and later).
	LabelKeyMaxLength = 317

	// LabelValueMaxLength is the longest label value a [NamespaceSelector]
	// accepts: 63 characters, the longest value Kubernetes allows. The
	// apiserver checks only the length of values (checking their grammar
	// too costs more than the CEL budget of a CRD allows); a value no
	// label could have simply never matches.
	LabelValueMaxLength = 63
)

// AccessFrom lists the namespaces that may refer to the object that embeds
// it. The zero value grants no cross-namespace access.
type AccessFrom struct {
	// NamespaceSelectors selects the namespaces allowed to refer to this
	// object. A namespace is allowed when any selector matches it; an empty
	// list allows none. At most 16 selectors. Default: empty.
	// +kubebuilder:validation:MaxItems=16
	// +optional
	// +listType=atomic
	NamespaceSelectors []NamespaceSelector `json:"namespaceSelectors,omitempty"`
}

// NamespaceSelector selects namespaces by their labels.
type NamespaceSelector struct {
	// MatchLabels are the labels a namespace must carry, all of them with
	// these values. Empty or absent matches every namespace. At most 16
	// labels; keys are label keys (an optional DNS-1123 subdomain prefix
	// and '/', then a name of at most 63 characters) and values have at
	// most 63 characters, since no namespace could carry anything else.
	// Default: empty.
	// +kubebuilder:validation:MaxProperties=16
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.size() <= 317 && !format.qualifiedName().validate(k).hasValue())",message="label keys must be Kubernetes label keys: [prefix/]name, the prefix a DNS-1123 subdomain of at most 253 characters, the name at most 63 alphanumerics, dashes, underscores or dots"
	// +kubebuilder:validation:XValidation:rule="self.all(k, self[k].size() <= 63)",message="label values must be at most 63 characters"
	// +optional
	// +mapType=atomic
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// Selects reports whether a namespace carrying nsLabels may refer to the
// object: true when at least one selector matches. A nil or empty
// AccessFrom selects nothing.
func (a *AccessFrom) Selects(nsLabels map[string]string) bool {
	if a == nil {
		return false
	}
	for _, s := range a.NamespaceSelectors {
		if s.Matches(nsLabels) {
			return true
		}
	}
	return false
}

// Matches reports whether a namespace carrying nsLabels carries every one
// of MatchLabels with the same value. Empty MatchLabels match every
// namespace.
func (s NamespaceSelector) Matches(nsLabels map[string]string) bool {
	for k, v := range s.MatchLabels {
		got, ok := nsLabels[k]
		if !ok || got != v {
			return false
		}
	}
	return true
}
