package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// Group is the API group of the image kinds.
	Group = "image.sluice.dev"

	// Version is the API version of the image kinds.
	Version = "v1"

	// ImageRepositoryKind is the kind of ImageRepository.
	ImageRepositoryKind = "ImageRepository"

	// ImagePolicyKind is the kind of ImagePolicy.
	ImagePolicyKind = "ImagePolicy"

	// ImageUpdateAutomationKind is the kind of ImageUpdateAutomation.
	ImageUpdateAutomationKind = "ImageUpdateAutomation"
)

// GroupVersion returns image.sluice.dev/v1.
func GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: Group, Version: Version}
}

// AddToScheme registers the image kinds and their lists in s.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion(),
		&ImageRepository{}, &ImageRepositoryList{},
		&ImagePolicy{}, &ImagePolicyList{},
		&ImageUpdateAutomation{}, &ImageUpdateAutomationList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion())
	return nil
}
