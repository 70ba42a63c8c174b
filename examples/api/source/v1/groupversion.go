package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sluice-dev/sluice/apis/meta"
)

const (
	// Group is the API group of the source kinds.
	Group = "source.sluice.dev"

	// Version is the API version of the source kinds.
	Version = "v1"

	// GitRepositoryKind is the kind of GitRepository.
	GitRepositoryKind = "GitRepository"

	// OCIRepositoryKind is the kind of OCIRepository.
	OCIRepositoryKind = "OCIRepository"
)

// GroupVersion returns source.sluice.dev/v1.
func GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: Group, Version: Version}
}

// AddToScheme registers the source kinds and their lists in s.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion(),
		&GitRepository{}, &GitRepositoryList{},
		&OCIRepository{}, &OCIRepositoryList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion())
	return nil
}

// Source is what a consumer of a source needs: its conditions and its
// artifact. GitRepository and OCIRepository implement it.
//
// +kubebuilder:object:generate=false
type Source interface {
	meta.ObjectWithConditions

	// GetArtifact returns the last artifact built, nil when none.
	GetArtifact() *meta.Artifact
}
