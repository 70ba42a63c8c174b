package matchers

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// errNotObject is what an object matcher fails with for a value that is
// not a Kubernetes object.
var errNotObject = errors.New("expected a Kubernetes object (client.Object)")

// objectMatcher matches one property of an object, read without a client.
type objectMatcher struct {
	want  string                            // what is expected, such as "label app=web"
	match func(client.Object) (bool, error) // the test
	found func(client.Object) string        // what the object has instead
}

func (m *objectMatcher) Match(actual any) (bool, error) {
	obj, err := objectOf(actual)
	if err != nil {
		return false, err
	}
	return m.match(obj)
}

func (m *objectMatcher) FailureMessage(actual any) string {
	return m.explain(actual, "to have")
}

func (m *objectMatcher) NegatedFailureMessage(actual any) string {
	return m.explain(actual, "not to have")
}

func (m *objectMatcher) explain(actual any, verb string) string {
	msg := fmt.Sprintf("Expected %s %s %s", describe(actual), verb, m.want)
	if obj, err := objectOf(actual); err == nil {
		msg += ", " + m.found(obj)
	}
	return msg
}

// HaveObservedGeneration matches an object whose status.observedGeneration
// equals its metadata.generation: its controller has seen its latest spec.
// It reads typed objects through runtime.DefaultUnstructuredConverter and
// *unstructured.Unstructured directly; an object without
// status.observedGeneration does not match. Combine it with [Exist] to
// poll the API server:
//
//	g.Eventually(obj).Should(matchers.Exist(ctx, c).That(matchers.HaveObservedGeneration()))
func HaveObservedGeneration() types.GomegaMatcher {
	return &objectMatcher{
		want: "status.observedGeneration equal to metadata.generation",
		match: func(obj client.Object) (bool, error) {
			observed, found, err := observedGeneration(obj)
			if err != nil || !found {
				return false, err
			}
			return observed == obj.GetGeneration(), nil
		},
		found: func(obj client.Object) string {
			observed, found, err := observedGeneration(obj)
			switch {
			case err != nil:
				return err.Error()
			case !found:
				return fmt.Sprintf("it has metadata.generation %d and no status.observedGeneration", obj.GetGeneration())
			default:
				return fmt.Sprintf("it has metadata.generation %d and status.observedGeneration %d", obj.GetGeneration(), observed)
			}
		},
	}
}

// observedGeneration returns status.observedGeneration of obj and whether
// it is set.
func observedGeneration(obj client.Object) (int64, bool, error) {
	var content map[string]any
	if u, ok := obj.(*unstructured.Unstructured); ok {
		content = u.Object
	} else {
		c, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return 0, false, fmt.Errorf("read status.observedGeneration of %s: %w", describe(obj), err)
		}
		content = c
	}
	v, found, err := unstructured.NestedFieldNoCopy(content, "status", "observedGeneration")
	if err != nil || !found {
		return 0, false, err
	}
	switch n := v.(type) {
	case int64:
		return n, true, nil
	case int:
		return int64(n), true, nil
	case float64:
		return int64(n), true, nil
	default:
		return 0, false, fmt.Errorf("read status.observedGeneration of %s: want an integer, got %T", describe(obj), v)
	}
}

// HaveLabel matches an object whose label key has value.
func HaveLabel(key, value string) types.GomegaMatcher {
	return mapEntryMatcher("label", key, value, client.Object.GetLabels)
}

// HaveAnnotation matches an object whose annotation key has value.
func HaveAnnotation(key, value string) types.GomegaMatcher {
	return mapEntryMatcher("annotation", key, value, client.Object.GetAnnotations)
}

func mapEntryMatcher(what, key, value string, get func(client.Object) map[string]string) types.GomegaMatcher {
	return &objectMatcher{
		want: fmt.Sprintf("%s %s=%q", what, key, value),
		match: func(obj client.Object) (bool, error) {
			v, ok := get(obj)[key]
			return ok && v == value, nil
		},
		found: func(obj client.Object) string {
			if v, ok := get(obj)[key]; ok {
				return fmt.Sprintf("its value is %q", v)
			}
			return fmt.Sprintf("it has no %s %s (%ss: %v)", what, key, what, get(obj))
		},
	}
}

// HaveFinalizer matches an object whose metadata.finalizers holds
// finalizer.
func HaveFinalizer(finalizer string) types.GomegaMatcher {
	return &objectMatcher{
		want: "finalizer " + finalizer,
		match: func(obj client.Object) (bool, error) {
			return slices.Contains(obj.GetFinalizers(), finalizer), nil
		},
		found: func(obj client.Object) string {
			return fmt.Sprintf("its finalizers are %v", obj.GetFinalizers())
		},
	}
}

// HaveOwnerReference matches an object with an owner reference to owner,
// found by owner's UID. owner must have been read from or written to the
// API server, so that it has a UID; the match fails with an error
// otherwise.
func HaveOwnerReference(owner client.Object) types.GomegaMatcher {
	return ownerMatcher(owner, false)
}

// BeControlledBy matches an object whose controller owner reference (the
// one with controller: true) points at owner, found by owner's UID. owner
// must have a UID, as for [HaveOwnerReference].
func BeControlledBy(owner client.Object) types.GomegaMatcher {
	return ownerMatcher(owner, true)
}

func ownerMatcher(owner client.Object, controller bool) *objectMatcher {
	want := "an owner reference to " + describe(owner)
	if controller {
		want = "a controller reference to " + describe(owner)
	}
	return &objectMatcher{
		want: want,
		match: func(obj client.Object) (bool, error) {
			if owner.GetUID() == "" {
				return false, fmt.Errorf("owner %s has no UID: read it from the API server first", describe(owner))
			}
			return ownerRef(obj, owner, controller) != nil, nil
		},
		found: func(obj client.Object) string {
			refs := obj.GetOwnerReferences()
			if len(refs) == 0 {
				return "it has no owner references"
			}
			s := "its owner references are"
			for _, r := range refs {
				s += fmt.Sprintf(" %s %s (uid %s, controller %t)", r.Kind, r.Name, r.UID, r.Controller != nil && *r.Controller)
			}
			return s
		},
	}
}

func ownerRef(obj client.Object, owner client.Object, controller bool) *metav1.OwnerReference {
	refs := obj.GetOwnerReferences()
	for i := range refs {
		if refs[i].UID != owner.GetUID() {
			continue
		}
		if controller && (refs[i].Controller == nil || !*refs[i].Controller) {
			continue
		}
		return &refs[i]
	}
	return nil
}

// objectOf returns actual as a non-nil client.Object.
func objectOf(actual any) (client.Object, error) {
	obj, ok := actual.(client.Object)
	if !ok {
		return nil, fmt.Errorf("%w, got %T", errNotObject, actual)
	}
	if v := reflect.ValueOf(obj); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("%w, got a nil %T", errNotObject, actual)
	}
	return obj, nil
}

// describe names actual for messages: "Kind namespace/name" for an object.
func describe(actual any) string { return describeWith(actual, nil) }

// describeWith is describe, also looking the kind up in the scheme of
// reader when reader has one (a client.Client does).
func describeWith(actual any, reader client.Reader) string {
	obj, err := objectOf(actual)
	if err != nil {
		return format.Object(actual, 1)
	}
	name := obj.GetName()
	if ns := obj.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return kindOf(obj, reader) + " " + name
}

// kindOf returns the kind of obj: its own when set, else the one the
// reader's scheme or client-go's scheme registers for its type, else its Go
// type.
func kindOf(obj client.Object, reader client.Reader) string {
	if kind := obj.GetObjectKind().GroupVersionKind().Kind; kind != "" {
		return kind
	}
	schemes := []*runtime.Scheme{clientgoscheme.Scheme}
	if s, ok := reader.(interface{ Scheme() *runtime.Scheme }); ok && s.Scheme() != nil {
		schemes = append([]*runtime.Scheme{s.Scheme()}, schemes...)
	}
	for _, s := range schemes {
		if gvks, _, err := s.ObjectKinds(obj); err == nil && len(gvks) > 0 {
			return gvks[0].Kind
		}
	}
	return fmt.Sprintf("%T", obj)
}
