package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// Group is the API group of the apply kinds.
	Group = "apply.sluice.dev"
	// Version is the API version of the apply kinds.
	Version = "v1"
	// SyncKind is the kind of Sync.
	SyncKind = "Sync"
)

// GroupVersion returns apply.sluice.dev/v1.
func GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: Group, Version: Version}
}

// AddToScheme registers Sync and SyncList in s.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion(), &Sync{}, &SyncList{})
	metav1.AddToGroupVersion(s, GroupVersion())
	return nil
}
