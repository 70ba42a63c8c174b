package acl

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apiacl "github.com/sluice-dev/sluice/apis/acl"
)

// Option configures an [Authorizer].
type Option func(*Authorizer)

// WithNoCrossNamespaceRefs denies every reference across namespaces,
// whatever the targets grant. Default: off, AccessFrom decides.
func WithNoCrossNamespaceRefs() Option {
	return func(a *Authorizer) { a.noCrossNamespaceRefs = true }
}

// Authorizer decides on cross-namespace references. Build it with [New];
// the zero value honours AccessFrom.
type Authorizer struct {
	noCrossNamespaceRefs bool
}

// New returns an Authorizer configured by opts.
func New(opts ...Option) *Authorizer {
	a := &Authorizer{}
	for _, o := range opts {
		o(a)
	}
	return a
}

// CrossNamespaceRefsAllowed reports whether the Authorizer lets AccessFrom
// grant cross-namespace references at all.
func (a *Authorizer) CrossNamespaceRefsAllowed() bool { return !a.noCrossNamespaceRefs }

// Authorize decides whether an object in namespace from may refer to target,
// which grants access with accessFrom (nil for none).
//
// A reference within target's namespace is allowed without I/O. Across
// namespaces it returns an [*AccessDeniedError] when cross-namespace
// references are off or accessFrom is empty, and otherwise reads the
// Namespace from with reader and denies unless accessFrom selects its
// labels. A failed read is returned wrapped; it is not a denial.
func (a *Authorizer) Authorize(ctx context.Context, reader client.Reader, from string, target metav1.Object, accessFrom *apiacl.AccessFrom) error {
	if from == target.GetNamespace() {
		return nil
	}
	deny := func(reason string) error {
		return &AccessDeniedError{
			From:   from,
			Target: target.GetNamespace() + "/" + target.GetName(),
			Reason: reason,
		}
	}
	if a.noCrossNamespaceRefs {
		return deny(ReasonCrossNamespaceRefsDisabled)
	}
	if accessFrom == nil || len(accessFrom.NamespaceSelectors) == 0 {
		return deny(ReasonNoAccessFrom)
	}
	var ns corev1.Namespace
	if err := reader.Get(ctx, client.ObjectKey{Name: from}, &ns); err != nil {
		return fmt.Errorf("authorize reference from namespace %q: get namespace: %w", from, err)
	}
	if !accessFrom.Selects(ns.Labels) {
		return deny(ReasonNamespaceNotSelected)
	}
	return nil
}
