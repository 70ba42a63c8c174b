// Package meta holds the API types every Sluice controller shares: the
// kstatus-standard condition types and reasons, the reconcile-request
// annotations, object and secret references, and [Artifact] with its
// RFC-0005 revision and digest.
//
// Types here depend only on k8s.io/apimachinery and carry kubebuilder
// validation markers, so CRDs that embed them validate the same way
// everywhere. Deep-copy functions are generated (zz_generated.deepcopy.go)
// for the struct types marked +kubebuilder:object:generate=true (the
// package has interfaces and error types, so the marker is per type) with
//
//	go -C tools tool controller-gen object paths=../apis/meta/...
//
// The call a newcomer needs is [Artifact.Validate] before writing an
// artifact to status, and [ReconcileRequested] at the top of a reconcile:
//
//	if token, ok := meta.ReconcileRequested(obj.GetAnnotations(), obj.Status.GetLastHandledReconcileRequest()); ok {
//		defer obj.Status.SetLastHandledReconcileRequest(token)
//	}
//
// # Marker guide
//
// Every Sluice CRD field carries the same markers for the same kind of
// value, so users meet one set of rules and the apiserver, not the
// controller, rejects bad input. Patterns are written as raw strings
// (Pattern=`...`), spelled exactly as the constants in this package so Go
// code can check the same grammar.
//
//   - Presence: every field says +required or +optional. Optional fields
//     are pointers or have omitempty, and their comment states what absence
//     means. Do not use +kubebuilder:validation:Optional or Required at
//     package level: the per-field marker is what readers see.
//   - Object names: MinLength=1, MaxLength=253 ([NameMaxLength]) and
//     Pattern=[NamePattern] (DNS-1123 subdomain). Namespaces: MinLength=1,
//     MaxLength=63 ([NamespaceMaxLength]) and Pattern=[NamespacePattern]
//     (DNS-1123 label). Secret keys: MinLength=1, MaxLength=253 and
//     Pattern=[SecretKeyPattern]. Prefer embedding [LocalObjectReference],
//     [NamespacedObjectReference], [SecretKeyReference] or
//     [KubeConfigReference] over new name fields: they carry these markers.
//   - Durations: type metav1.Duration with
//     +kubebuilder:validation:Type=string followed by
//     Pattern=[DurationPattern] (controller-gen applies a pattern only to
//     a field it knows is a string), never an integer of seconds. The
//     pattern has no sign, so durations are never negative.
//   - Enums: a named string type with +kubebuilder:validation:Enum=A;B;C
//     on the type, CamelCase values, and Go constants for each value.
//   - Every other spec string: a MaxLength (the apiserver's cost estimates for
//     CEL rules need one), and MinLength=1 when empty is meaningless.
//     Integers: Minimum and Maximum where the domain has them.
//   - Lists: a MaxItems on every spec list (for the same reason) and a
//     +listType.
//   - Label maps (map[string]string of label keys and values):
//     MaxProperties, and XValidation rules bounding each key and value,
//     since a map value takes no MaxLength marker. Keys:
//     self.all(k, k.size() <= 317 && !format.qualifiedName().validate(k).hasValue());
//     values: self.all(k, self[k].size() <= 63) (a grammar check on
//     values exceeds the CEL cost budget of a CRD). The MatchLabels of
//     acl.NamespaceSelector is the model.
//   - Defaults: +kubebuilder:default=<value> on optional fields only, with
//     the same default stated in the comment ("Defaults to 5m."); a
//     defaulted field is +optional with omitempty, so that an object
//     written without it round-trips.
//   - Revisions and digests: embed [Artifact], or put Pattern=[RevisionPattern]
//     or Pattern=[DigestPattern] on a string field.
//   - Status: Conditions []metav1.Condition with +listType=map and
//     +listMapKey=type, ObservedGeneration int64, embedded
//     [ReconcileRequestStatus], and +kubebuilder:subresource:status on the
//     root type.
//
// # Errors
//
// [Artifact.Validate], [ValidateRevision] and [ValidateDigest] return
// *[ArtifactError] values wrapping [ErrInvalidRevision], [ErrInvalidDigest]
// or [ErrInvalidSize]. They describe values the apiserver would refuse, so
// retrying never helps.
//
// # Concurrency
//
// The functions are pure and safe for concurrent use; the types are plain
// data with the usual rules: do not mutate an object another goroutine
// reads (DeepCopy it first).
package meta
