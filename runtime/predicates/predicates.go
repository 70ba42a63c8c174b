package predicates

import (
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ReconcileRequestedPredicate passes an update when the
// [meta.ReconcileRequestAnnotation] of the new object holds a non-empty
// value different from the old object's; create, delete and generic events
// always pass. The zero value is ready to use.
type ReconcileRequestedPredicate struct {
	predicate.Funcs
}

// Update implements predicate.Predicate.
func (ReconcileRequestedPredicate) Update(e event.UpdateEvent) bool {
	if e.ObjectOld == nil || e.ObjectNew == nil {
		return false
	}
	newToken, ok := meta.ReconcileAnnotationValue(e.ObjectNew.GetAnnotations())
	if !ok {
		return false
	}
	oldToken, _ := meta.ReconcileAnnotationValue(e.ObjectOld.GetAnnotations())
	return newToken != oldToken
}

// ReconcileRequested returns a [ReconcileRequestedPredicate].
func ReconcileRequested() predicate.Predicate {
	return ReconcileRequestedPredicate{}
}

// GenerationOrReconcileRequested passes an update when the object's
// metadata.generation changed or a new reconcile request was made (see
// [ReconcileRequestedPredicate]); create, delete and generic events always
// pass. This is the predicate most Sluice controllers use.
func GenerationOrReconcileRequested() predicate.Predicate {
	return predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, ReconcileRequestedPredicate{})
}

// GenerationOrAnnotationsChanged passes an update when the object's
// metadata.generation or any of its annotations changed; create, delete
// and generic events always pass. Use it for controllers that read
// configuration from annotations.
func GenerationOrAnnotationsChanged() predicate.Predicate {
	return predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{})
}
