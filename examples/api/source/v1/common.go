package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ArtifactStatus is the status every source kind shares.
type ArtifactStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are the kstatus-standard conditions: Ready, Reconciling,
	// Stalled, plus ArtifactInStorage, SourceVerified and FetchFailed.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Artifact is the last artifact built. Nil (the default) means none yet.
	// +optional
	Artifact *meta.Artifact `json:"artifact,omitempty"`

	// ObservedIgnore is the spec.ignore the artifact was built with, so a
	// change of the patterns rebuilds it even when the revision did not
	// move. Nil (the default) means none.
	// +optional
	ObservedIgnore *string `json:"observedIgnore,omitempty"`
}
