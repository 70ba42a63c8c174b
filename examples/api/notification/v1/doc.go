// Package v1 is the notification.sluice.dev/v1 API of the example
// notification controller: Provider (where notifications go), Alert (which
// events go to a Provider) and Receiver (an incoming webhook that asks for
// the reconciliation of its targets).
//
// The deep-copy functions and the CRDs under examples/config/crd are
// generated; from the repository root:
//
//	go -C tools tool controller-gen object crd paths=../examples/api/notification/... output:crd:dir=../examples/config/crd
//
// +kubebuilder:object:generate=true
// +groupName=notification.sluice.dev
// +versionName=v1
package v1
