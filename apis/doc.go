// Package apis is the root of Sluice's shared Kubernetes API types.
//
// This module will hold the types every Sluice controller shares: the
// kstatus-standard condition types and reasons and the reconcile-request
// annotations (package meta), Artifact with its RFC-0005 revision and digest,
// object and secret references, cross-namespace access control lists
// (package acl) and the event payload controllers post to a notification
// receiver (package event). It depends on k8s.io/apimachinery only.
//
// The packages land with the apis issue; until then this module holds no code.
package apis
