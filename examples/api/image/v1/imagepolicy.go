package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ImageRepositoryReference names an ImageRepository, in the namespace of
// the referring object unless Namespace says otherwise.
type ImageRepositoryReference struct {
	// Name of the ImageRepository.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Namespace of the ImageRepository. Empty (the default) means the
	// namespace of the ImagePolicy. Another namespace must be allowed by
	// the repository's spec.accessFrom and by the controller.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// SortOrder is the direction of an alphabetical or numerical policy.
//
// +kubebuilder:validation:Enum=asc;desc
type SortOrder string

// The values of [SortOrder].
const (
	// SortAscending ranks the greatest value as the latest.
	SortAscending SortOrder = "asc"

	// SortDescending ranks the smallest value as the latest.
	SortDescending SortOrder = "desc"
)

// SemVerPolicy selects the highest semantic version within a range.
type SemVerPolicy struct {
	// Range is a version range in version.ParseConstraint syntax, such as
	// ">=1.0.0 <2.0.0", "^1.2" or "1.2.x".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=250
	// +required
	Range string `json:"range"`
}

// OrderedPolicy selects the first tag in an order.
type OrderedPolicy struct {
	// Order of the ranking. Default: asc, the greatest value is the latest.
	// +kubebuilder:default=asc
	// +optional
	Order SortOrder `json:"order,omitempty"`
}

// ImagePolicyChoice is the ranking of an ImagePolicy: exactly one field is
// set.
//
// +kubebuilder:validation:XValidation:rule="(has(self.semver) ? 1 : 0) + (has(self.alphabetical) ? 1 : 0) + (has(self.numerical) ? 1 : 0) == 1",message="exactly one of semver, alphabetical and numerical must be set"
type ImagePolicyChoice struct {
	// SemVer ranks tags as semantic versions within a range.
	// +optional
	SemVer *SemVerPolicy `json:"semver,omitempty"`

	// Alphabetical ranks tags by byte-wise comparison.
	// +optional
	Alphabetical *OrderedPolicy `json:"alphabetical,omitempty"`

	// Numerical ranks tags as decimal numbers.
	// +optional
	Numerical *OrderedPolicy `json:"numerical,omitempty"`
}

// TagFilter keeps the tags a regular expression matches and, with Extract,
// ranks the part of the tag the expression's groups capture.
type TagFilter struct {
	// Pattern is a Go (RE2) regular expression; tags it does not match are
	// skipped. It is not anchored unless it says so.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Pattern string `json:"pattern,omitempty"`

	// Extract is a regexp.Expand template, such as "$ts" for the group
	// (?P<ts>...), giving the value ranked instead of the whole tag. Every
	// group it names must exist in Pattern. Default empty: the whole tag.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Extract string `json:"extract,omitempty"`
}

// ImagePolicySpec is the desired state of an ImagePolicy.
type ImagePolicySpec struct {
	// ImageRepositoryRef names the ImageRepository whose tags are ranked.
	// +required
	ImageRepositoryRef ImageRepositoryReference `json:"imageRepositoryRef"`

	// Policy is how tags are ranked.
	// +required
	Policy ImagePolicyChoice `json:"policy"`

	// FilterTags filters the tags before ranking. Nil (the default) ranks
	// every tag.
	// +optional
	FilterTags *TagFilter `json:"filterTags,omitempty"`

	// Suspend stops reconciliation. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ImageRef is an image reference split into its parts.
type ImageRef struct {
	// Name is the image name, with its registry, such as
	// "ghcr.io/org/app".
	// +required
	Name string `json:"name"`

	// Tag is the tag, such as "v1.2.3".
	// +required
	Tag string `json:"tag"`
}

// String returns "name:tag".
func (r ImageRef) String() string {
	return r.Name + ":" + r.Tag
}

// ImagePolicyStatus is the observed state of an ImagePolicy.
type ImagePolicyStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are the kstatus-standard conditions Ready, Reconciling
	// and Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LatestRef is the image the policy selects. Nil (the default) means
	// none yet.
	// +optional
	LatestRef *ImageRef `json:"latestRef,omitempty"`

	// ObservedPreviousRef is the image the policy selected before
	// LatestRef. Nil (the default) means none.
	// +optional
	ObservedPreviousRef *ImageRef `json:"observedPreviousRef,omitempty"`
}

// ImagePolicy selects the latest tag of an ImageRepository.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=imagepol
// +kubebuilder:printcolumn:name="Image",type=string,JSONPath=`.status.latestRef.name`
// +kubebuilder:printcolumn:name="Tag",type=string,JSONPath=`.status.latestRef.tag`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ImagePolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec ImagePolicySpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status ImagePolicyStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *ImagePolicy) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *ImagePolicy) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// ImagePolicyList is a list of ImagePolicies.
//
// +kubebuilder:object:root=true
type ImagePolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the ImagePolicies.
	Items []ImagePolicy `json:"items"`
}
