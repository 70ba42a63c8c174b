package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sluice-dev/sluice/testenv/matchers"
)

// thing is a typed object whose status holds conditions but which has no
// GetConditions method.
type thing struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Status            struct {
		Conditions []metav1.Condition `json:"conditions,omitempty"`
	} `json:"status,omitempty"`
}

func (t *thing) DeepCopyObject() runtime.Object { c := *t; return &c }

// getter has a GetConditions method.
type getter struct {
	thing
}

func (g *getter) GetConditions() []metav1.Condition { return g.Status.Conditions }

var ready = metav1.Condition{
	Type: "Ready", Status: metav1.ConditionTrue, Reason: "Succeeded",
	Message: "stored artifact for revision main@sha1:abc", ObservedGeneration: 2,
}

func TestConditionMatchersOnEveryShape(t *testing.T) {
	g := NewWithT(t)

	withGetter := &getter{}
	withGetter.Generation = 2
	withGetter.Status.Conditions = []metav1.Condition{ready}

	typed := &thing{}
	typed.Generation = 2
	typed.Status.Conditions = []metav1.Condition{ready}

	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": "u", "generation": int64(2)},
		"status": map[string]any{"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "Succeeded",
			"message": ready.Message, "observedGeneration": int64(2),
			"lastTransitionTime": "2026-01-01T00:00:00Z",
		}}},
	}}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: "x", Version: "v1", Kind: "Thing"})

	for name, actual := range map[string]any{"getter": withGetter, "typed": typed, "unstructured": u} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(actual).To(matchers.BeReady())
			g.Expect(actual).To(matchers.HaveCondition("Ready", metav1.ConditionTrue).WithReason("Succeeded"))
			g.Expect(actual).To(matchers.HaveCondition("Ready", metav1.ConditionTrue).WithMessage("main@sha1"))
			g.Expect(actual).NotTo(matchers.HaveCondition("Ready", metav1.ConditionTrue).WithReason("Other"))
			g.Expect(actual).NotTo(matchers.HaveCondition("Ready", metav1.ConditionFalse))
			g.Expect(actual).NotTo(matchers.BeStalled())
			g.Expect(actual).NotTo(matchers.BeReconciling())
		})
	}

	// A condition for an older generation is not Ready for this one.
	withGetter.Generation = 3
	g.Expect(withGetter).NotTo(matchers.BeReady())
	g.Expect(withGetter).To(matchers.HaveCondition("Ready", metav1.ConditionTrue))

	// A bare list has no generation.
	g.Expect([]metav1.Condition{ready}).To(matchers.HaveCondition("Ready", metav1.ConditionTrue))
	_, err := matchers.BeReady().Match([]metav1.Condition{ready})
	g.Expect(err).To(MatchError(ContainSubstring("needs an object")))
}

func TestConditionMatcherErrorsAndMessages(t *testing.T) {
	g := NewWithT(t)
	_, err := matchers.BeReady().Match(42)
	g.Expect(err).To(MatchError(ContainSubstring("no readable status conditions")))
	_, err = matchers.BeReady().Match(nil)
	g.Expect(err).To(HaveOccurred())

	bad := &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": "nope"}}}
	_, err = matchers.BeReady().Match(bad)
	g.Expect(err).To(HaveOccurred())

	obj := &getter{}
	obj.Name, obj.Namespace = "w", "ns"
	obj.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: "Failed", Message: "boom"}}
	m := matchers.HaveCondition("Ready", metav1.ConditionTrue).WithReason("Succeeded")
	g.Expect(m.FailureMessage(obj)).To(SatisfyAll(
		ContainSubstring("ns/w"), ContainSubstring(`Ready=True reason="Succeeded"`),
		ContainSubstring(`found Ready=False reason="Failed" message="boom"`)))
	g.Expect(matchers.BeStalled().FailureMessage(obj)).To(ContainSubstring("no Stalled condition"))
	g.Expect(m.NegatedFailureMessage(obj)).To(ContainSubstring("not to have"))
}

func TestStatusMatchers(t *testing.T) {
	g := NewWithT(t)
	gr := schema.GroupResource{Resource: "configmaps"}
	notFound := apierrors.NewNotFound(gr, "x")
	g.Expect(notFound).To(matchers.BeNotFound())
	g.Expect(notFound).NotTo(matchers.BeInvalid())
	g.Expect(apierrors.NewConflict(gr, "x", nil)).To(matchers.BeConflict())
	g.Expect(apierrors.NewInvalid(schema.GroupKind{Kind: "ConfigMap"}, "x", nil)).To(matchers.BeInvalid())
	g.Expect(apierrors.NewForbidden(gr, "x", nil)).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
	g.Expect(nil).NotTo(matchers.BeNotFound())
	_, err := matchers.BeNotFound().Match(corev1.ConfigMap{})
	g.Expect(err).To(MatchError(ContainSubstring("expected an error")))
	g.Expect(matchers.BeNotFound().FailureMessage(apierrors.NewConflict(gr, "x", nil))).To(ContainSubstring(`it has "Conflict"`))
}
