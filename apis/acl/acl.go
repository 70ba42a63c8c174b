package acl

// AccessFrom lists the namespaces that may refer to the object that embeds
// it. The zero value grants no cross-namespace access.
type AccessFrom struct {
	// NamespaceSelectors selects the namespaces allowed to refer to this
	// object. A namespace is allowed when any selector matches it; an empty
	// list allows none. Default: empty.
	// +optional
	// +listType=atomic
	NamespaceSelectors []NamespaceSelector `json:"namespaceSelectors,omitempty"`
}

// NamespaceSelector selects namespaces by their labels.
type NamespaceSelector struct {
	// MatchLabels are the labels a namespace must carry, all of them with
	// these values. Empty or absent matches every namespace. Default: empty.
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
