package predicates_test

import (
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

func ExampleGenerationOrReconcileRequested() {
	p := predicates.GenerationOrReconcileRequested()

	old := object(1, nil)
	statusOnly := old.DeepCopy() // same generation, no request
	requestedNow := old.DeepCopy()
	requestedNow.Annotations = map[string]string{meta.ReconcileRequestAnnotation: "2026-01-02T03:04:05Z"}
	newSpec := old.DeepCopy()
	newSpec.Generation = 2

	fmt.Println(p.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: statusOnly}))
	fmt.Println(p.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: requestedNow}))
	fmt.Println(p.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: newSpec}))
	// Output:
	// false
	// true
	// true
}
