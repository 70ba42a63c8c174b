package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// Group is the API group of the notification kinds.
	Group = "notification.sluice.dev"

	// Version is the API version of the notification kinds.
	Version = "v1"

	// ProviderKind is the kind of Provider.
	ProviderKind = "Provider"

	// AlertKind is the kind of Alert.
	AlertKind = "Alert"

	// ReceiverKind is the kind of Receiver.
	ReceiverKind = "Receiver"
)

// GroupVersion returns notification.sluice.dev/v1.
func GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: Group, Version: Version}
}

// AddToScheme registers the notification kinds and their lists in s.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion(),
		&Provider{}, &ProviderList{},
		&Alert{}, &AlertList{},
		&Receiver{}, &ReceiverList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion())
	return nil
}
