// Package acl holds the API types with which an object grants access to
// itself from other namespaces: an object embeds [AccessFrom] in its spec,
// and a controller that resolves a reference from namespace A to that object
// in namespace B checks it (package github.com/sluice-dev/sluice/runtime/acl
// does the check against the live Namespace object).
//
// The one call a newcomer needs is [AccessFrom.Selects]:
//
//	if spec.AccessFrom.Selects(sourceNamespace.Labels) { ... }
//
// # Semantics
//
//   - A nil AccessFrom, or one with no NamespaceSelectors, grants no
//     cross-namespace access. References from the object's own namespace
//     need no grant.
//   - A namespace is selected when any one of the selectors matches it
//     (selectors are ORed).
//   - A selector matches a namespace when every one of its MatchLabels is
//     present on the namespace with the same value (labels are ANDed).
//   - A selector with empty MatchLabels matches every namespace: it is the
//     explicit way to say "all namespaces", which an empty AccessFrom never
//     means.
//
// +kubebuilder:object:generate=true
package acl
