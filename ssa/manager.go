package ssa

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrInvalidOwner means an Owner cannot name a field manager or label
// objects.
var ErrInvalidOwner = errors.New("invalid owner")

// Owner says who applies: the field manager the apiserver records, and the
// group of the labels that mark objects as ours.
type Owner struct {
	// Field is the field-manager name sent with every apply, such as
	// "sluice". Required.
	Field string
	// Group is the DNS prefix of the owner labels, such as
	// "kustomize.example.com": objects carry "<Group>/name" and
	// "<Group>/namespace" naming the object that applied them. Required.
	Group string
	// Name and Namespace name the object on whose behalf the manager
	// applies, such as a Kustomization. Every applied object is labelled
	// with them (see Labels), and delete and prune touch only objects that
	// carry those labels. Namespace is empty for a cluster-scoped owner.
	// Default empty: no owner labels are written and prune refuses to run.
	Name      string
	Namespace string
}

// NameLabel returns the key of the label that holds the owner's name.
func (o Owner) NameLabel() string { return o.Group + "/name" }

// NamespaceLabel returns the key of the label that holds the owner's
// namespace.
func (o Owner) NamespaceLabel() string { return o.Group + "/namespace" }

// Labels returns the owner labels applied objects carry, or nil when Name
// is empty.
func (o Owner) Labels() map[string]string {
	if o.Name == "" {
		return nil
	}
	return map[string]string{o.NameLabel(): o.Name, o.NamespaceLabel(): o.Namespace}
}

// Validate reports whether o can be used; the error wraps ErrInvalidOwner.
func (o Owner) Validate() error {
	if o.Field == "" {
		return fmt.Errorf("%w: field manager name is empty", ErrInvalidOwner)
	}
	if len(o.Field) > 128 {
		return fmt.Errorf("%w: field manager name is longer than 128 characters", ErrInvalidOwner)
	}
	if errs := validation.IsDNS1123Subdomain(o.Group); len(errs) > 0 {
		return fmt.Errorf("%w: label group %q: %v", ErrInvalidOwner, o.Group, errs)
	}
	for _, v := range []string{o.Name, o.Namespace} {
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			return fmt.Errorf("%w: label value %q: %v", ErrInvalidOwner, v, errs)
		}
	}
	return nil
}

// ResourceManager applies, diffs, waits for, deletes and prunes sets of
// Kubernetes objects with server-side apply on behalf of one Owner.
//
// # Concurrency
//
// A ResourceManager is safe for concurrent use once built.
type ResourceManager struct {
	client client.Client
	owner  Owner
	opts   options
}

// New returns a ResourceManager that talks to the apiserver through c and
// applies as owner. It returns an error wrapping ErrInvalidOwner for an
// owner that fails Validate.
func New(c client.Client, owner Owner, opts ...Option) (*ResourceManager, error) {
	if c == nil {
		return nil, errors.New("new resource manager: client is nil")
	}
	if err := owner.Validate(); err != nil {
		return nil, fmt.Errorf("new resource manager: %w", err)
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("new resource manager: %w", err)
	}
	return &ResourceManager{client: c, owner: owner, opts: o}, nil
}

// Client returns the client the manager talks through.
func (m *ResourceManager) Client() client.Client { return m.client }

// Owner returns the owner the manager applies as.
func (m *ResourceManager) Owner() Owner { return m.owner }
