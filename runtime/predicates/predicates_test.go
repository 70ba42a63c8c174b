package predicates_test

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/predicates"
)

func object(generation int64, annotations map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "app", Namespace: "default", Generation: generation, Annotations: annotations,
	}}
}

func requested(token string) map[string]string {
	return map[string]string{meta.ReconcileRequestAnnotation: token}
}

type updateCase struct {
	name     string
	old, new client.Object
	want     bool
}

func runUpdates(t *testing.T, p predicate.Predicate, tests []updateCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(p.Update(event.UpdateEvent{ObjectOld: tt.old, ObjectNew: tt.new})).To(Equal(tt.want))
		})
	}
}

func TestReconcileRequested(t *testing.T) {
	runUpdates(t, predicates.ReconcileRequested(), []updateCase{
		{"annotation added", object(1, nil), object(1, requested("t1")), true},
		{"annotation changed", object(1, requested("t1")), object(1, requested("t2")), true},
		{"annotation unchanged", object(1, requested("t1")), object(1, requested("t1")), false},
		{"annotation removed", object(1, requested("t1")), object(1, nil), false},
		{"annotation emptied", object(1, requested("t1")), object(1, requested("")), false},
		{"only generation changed", object(1, nil), object(2, nil), false},
		{"other annotation changed", object(1, map[string]string{"a": "1"}), object(1, map[string]string{"a": "2"}), false},
		{"nil old object", nil, object(1, requested("t1")), false},
		{"nil new object", object(1, requested("t1")), nil, false},
	})
}

func TestGenerationOrReconcileRequested(t *testing.T) {
	runUpdates(t, predicates.GenerationOrReconcileRequested(), []updateCase{
		{"generation changed", object(1, nil), object(2, nil), true},
		{"reconcile requested", object(1, requested("t1")), object(1, requested("t2")), true},
		{"both", object(1, nil), object(2, requested("t1")), true},
		{"nothing changed", object(1, requested("t1")), object(1, requested("t1")), false},
		{"other annotation changed", object(1, map[string]string{"a": "1"}), object(1, map[string]string{"a": "2"}), false},
	})
}

func TestGenerationOrAnnotationsChanged(t *testing.T) {
	runUpdates(t, predicates.GenerationOrAnnotationsChanged(), []updateCase{
		{"generation changed", object(1, nil), object(2, nil), true},
		{"reconcile requested", object(1, requested("t1")), object(1, requested("t2")), true},
		{"other annotation changed", object(1, map[string]string{"a": "1"}), object(1, map[string]string{"a": "2"}), true},
		{"annotation removed", object(1, map[string]string{"a": "1"}), object(1, nil), true},
		{"nothing changed", object(1, map[string]string{"a": "1"}), object(1, map[string]string{"a": "1"}), false},
	})
}

func TestNonUpdateEventsPass(t *testing.T) {
	obj := object(1, nil)
	for name, p := range map[string]predicate.Predicate{
		"ReconcileRequested":             predicates.ReconcileRequested(),
		"GenerationOrReconcileRequested": predicates.GenerationOrReconcileRequested(),
		"GenerationOrAnnotationsChanged": predicates.GenerationOrAnnotationsChanged(),
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(p.Create(event.CreateEvent{Object: obj})).To(BeTrue())
			g.Expect(p.Delete(event.DeleteEvent{Object: obj})).To(BeTrue())
			g.Expect(p.Generic(event.GenericEvent{Object: obj})).To(BeTrue())
		})
	}
}
