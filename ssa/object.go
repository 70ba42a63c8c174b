package ssa

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ErrInvalidObjectID means a string is not an ObjectID in the form
// [ObjectID.String] writes.
var ErrInvalidObjectID = errors.New("invalid object id")

// ObjectID names one Kubernetes object independently of its API version, so
// an object keeps its id when its CRD gains a version. Its zero value names
// nothing.
type ObjectID struct {
	// Group is the API group; empty for the core group.
	Group string
	// Kind is the object's kind, such as "ConfigMap".
	Kind string
	// Namespace is empty for cluster-scoped objects.
	Namespace string
	// Name is the object's name.
	Name string
}

// IDOf returns the id of obj.
func IDOf(obj *unstructured.Unstructured) ObjectID {
	gvk := obj.GroupVersionKind()
	return ObjectID{Group: gvk.Group, Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// GroupKind returns the id's group and kind.
func (id ObjectID) GroupKind() schema.GroupKind {
	return schema.GroupKind{Group: id.Group, Kind: id.Kind}
}

// String returns "<namespace>_<name>_<group>_<kind>", the form inventories
// store; an empty namespace or group stays empty. Names, namespaces, groups
// and kinds cannot hold "_", so the form parses back unambiguously.
func (id ObjectID) String() string {
	return id.Namespace + "_" + id.Name + "_" + id.Group + "_" + id.Kind
}

// Display returns the form people read in logs and change sets:
// "<Kind>/<namespace>/<name>", or "<Kind>/<name>" for cluster-scoped
// objects, with the group appended to the kind when it is not core, as in
// "Deployment.apps/default/web".
func (id ObjectID) Display() string {
	kind := id.Kind
	if id.Group != "" {
		kind += "." + id.Group
	}
	if id.Namespace == "" {
		return kind + "/" + id.Name
	}
	return kind + "/" + id.Namespace + "/" + id.Name
}

// ParseObjectID parses the form [ObjectID.String] writes. It returns an
// error wrapping ErrInvalidObjectID when s does not have four fields or
// lacks a name or kind.
func ParseObjectID(s string) (ObjectID, error) {
	parts := strings.Split(s, "_")
	if len(parts) != 4 {
		return ObjectID{}, fmt.Errorf("%w: %q: want <namespace>_<name>_<group>_<kind>", ErrInvalidObjectID, s)
	}
	id := ObjectID{Namespace: parts[0], Name: parts[1], Group: parts[2], Kind: parts[3]}
	if id.Name == "" || id.Kind == "" {
		return ObjectID{}, fmt.Errorf("%w: %q: name and kind are required", ErrInvalidObjectID, s)
	}
	return id, nil
}
