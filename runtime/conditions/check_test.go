package conditions_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
)

func atGen(c metav1.Condition, gen int64) metav1.Condition {
	c.ObservedGeneration = gen
	return c
}

func TestCheckKstatusViolations(t *testing.T) {
	const (
		T = metav1.ConditionTrue
		F = metav1.ConditionFalse
		U = metav1.ConditionUnknown
	)
	ready := atGen(cond(meta.ReadyCondition, T, meta.SucceededReason), 2)
	tests := []struct {
		name     string
		w        *testapi.Widget
		abnormal []string
		want     []conditions.ViolationKind
	}{
		{"ready missing", widget(2), nil, []conditions.ViolationKind{conditions.ReadyMissing}},
		{"ready stale", widget(2, atGen(ready, 1)), nil, []conditions.ViolationKind{conditions.ReadyStale}},
		{"ready stale allowed while reconciling", widget(2, atGen(ready, 1), atGen(cond(meta.ReconcilingCondition, T, "R"), 2)), nil, nil},
		{"both abnormal true", widget(2, ready, atGen(cond(meta.ReconcilingCondition, T, "R"), 2), atGen(cond(meta.StalledCondition, T, "S"), 2)),
			nil, []conditions.ViolationKind{conditions.ReconcilingAndStalled}},
		{"reconciling false", widget(2, ready, atGen(cond(meta.ReconcilingCondition, F, "R"), 2)), nil, []conditions.ViolationKind{conditions.AbnormalNotTrue}},
		{"stalled unknown", widget(2, ready, atGen(cond(meta.StalledCondition, U, "S"), 2)), nil, []conditions.ViolationKind{conditions.AbnormalNotTrue}},
		{"extra abnormal false", widget(2, ready, atGen(cond(meta.FetchFailedCondition, F, "F"), 2)), []string{meta.FetchFailedCondition},
			[]conditions.ViolationKind{conditions.AbnormalNotTrue}},
		{"extra abnormal not declared", widget(2, ready, atGen(cond(meta.FetchFailedCondition, F, "F"), 2)), nil, nil},
		{"condition from the future", widget(2, ready, atGen(cond("A", T, "R"), 3)), nil, []conditions.ViolationKind{conditions.GenerationFromFuture}},
		{"duplicate", widget(2, ready, ready), nil, []conditions.ViolationKind{conditions.DuplicateType}},
		{"no reason and bad status", widget(2, ready, atGen(cond("A", "Maybe", ""), 2)), nil,
			[]conditions.ViolationKind{conditions.InvalidCondition, conditions.InvalidCondition}},
		{"valid", widget(2, ready), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := conditions.CheckKstatus(tt.w, tt.abnormal...)
			if tt.want == nil {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(conditions.ErrKstatusViolation))
			var ke *conditions.KstatusError
			g.Expect(errors.As(err, &ke)).To(BeTrue())
			g.Expect(ke.Object).To(Equal("ns/w"))
			kinds := make([]conditions.ViolationKind, len(ke.Violations))
			for i, v := range ke.Violations {
				kinds[i] = v.Kind
			}
			g.Expect(kinds).To(Equal(tt.want))
			g.Expect(ke.Has(tt.want[0])).To(BeTrue())
			g.Expect(err.Error()).To(HavePrefix("check kstatus of ns/w: " + tt.want[0].String()))
		})
	}
}

func TestCheckKstatusStatusObservedGeneration(t *testing.T) {
	g := NewWithT(t)
	w := widget(3, atGen(cond(meta.ReadyCondition, metav1.ConditionTrue, meta.SucceededReason), 3))
	w.Status.ObservedGeneration = 2
	err := conditions.CheckKstatus(w)
	var ke *conditions.KstatusError
	g.Expect(errors.As(err, &ke)).To(BeTrue())
	g.Expect(ke.Violations).To(ConsistOf(conditions.Violation{
		Kind: conditions.ObservedGenerationStale, Detail: "status.observedGeneration 2, generation 3, and not Reconciling or Stalled",
	}))

	w.Status.ObservedGeneration = 4
	err = conditions.CheckKstatus(w)
	g.Expect(errors.As(err, &ke)).To(BeTrue())
	g.Expect(ke.Has(conditions.GenerationFromFuture)).To(BeTrue())

	w.Status.ObservedGeneration = 3
	g.Expect(conditions.CheckKstatus(w)).To(Succeed())

	u := &unstructured.Unstructured{}
	u.SetGeneration(3)
	g.Expect(unstructured.SetNestedField(u.Object, int64(1), "status", "observedGeneration")).To(Succeed())
	err = conditions.CheckKstatus(&unstructuredWithConditions{Unstructured: u, conds: w.Status.Conditions})
	g.Expect(errors.As(err, &ke)).To(BeTrue())
	g.Expect(ke.Has(conditions.ObservedGenerationStale)).To(BeTrue())
}

type unstructuredWithConditions struct {
	*unstructured.Unstructured
	conds []metav1.Condition
}

func (u *unstructuredWithConditions) GetConditions() []metav1.Condition { return u.conds }

func TestViolationKindString(t *testing.T) {
	g := NewWithT(t)
	g.Expect(conditions.ReadyStale.String()).To(Equal("ReadyStale"))
	g.Expect(conditions.ViolationKind(0).String()).To(Equal("ViolationKind(0)"))
}

// TestHelpersAgreeWithKstatus builds statuses with the helpers only and
// checks both CheckKstatus and cli-utils' status.Compute on them.
func TestHelpersAgreeWithKstatus(t *testing.T) {
	opts := conditions.SummaryOptions{Conditions: []string{meta.ArtifactInStorageCondition}, NegativePolarity: []string{meta.FetchFailedCondition}}
	tests := []struct {
		name      string
		build     func(w *testapi.Widget)
		want      status.Status
		violation conditions.ViolationKind
	}{
		{"reconciling", func(w *testapi.Widget) {
			conditions.MarkReconciling(w, meta.ProgressingReason, "fetching")
			conditions.SetSummary(w, opts)
		}, status.InProgressStatus, 0},
		{"ready", func(w *testapi.Widget) {
			conditions.MarkReconciling(w, meta.ProgressingReason, "fetching")
			conditions.MarkTrue(w, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored")
			conditions.Delete(w, meta.ReconcilingCondition)
			conditions.SetSummary(w, opts)
			w.Status.ObservedGeneration = w.Generation
		}, status.CurrentStatus, 0},
		{"stalled", func(w *testapi.Widget) {
			conditions.MarkReconciling(w, meta.ProgressingReason, "fetching")
			conditions.MarkStalled(w, meta.InvalidConfigReason, "bad url")
			conditions.SetSummary(w, opts)
			w.Status.ObservedGeneration = w.Generation
		}, status.FailedStatus, 0},
		{"failed and retrying", func(w *testapi.Widget) {
			conditions.MarkTrue(w, meta.FetchFailedCondition, meta.AuthenticationFailedReason, "401")
			conditions.SetSummary(w, opts)
			w.Status.ObservedGeneration = w.Generation
		}, status.InProgressStatus, 0},
		{"new generation not observed", func(w *testapi.Widget) {
			conditions.MarkTrue(w, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored")
			conditions.SetSummary(w, opts)
			w.Status.ObservedGeneration = w.Generation
			w.Generation++
		}, status.InProgressStatus, conditions.ReadyStale},
		{"ready without summary", func(w *testapi.Widget) {
			conditions.MarkTrue(w, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored")
		}, status.CurrentStatus, conditions.ReadyMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			w := widget(5)
			w.TypeMeta = metav1.TypeMeta{APIVersion: testapi.GroupVersion().String(), Kind: "Widget"}
			tt.build(w)

			err := conditions.CheckKstatus(w, meta.FetchFailedCondition)
			if tt.violation == 0 {
				g.Expect(err).NotTo(HaveOccurred())
			} else {
				var ke *conditions.KstatusError
				g.Expect(errors.As(err, &ke)).To(BeTrue())
				g.Expect(ke.Has(tt.violation)).To(BeTrue(), err.Error())
			}

			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(w)
			g.Expect(err).NotTo(HaveOccurred())
			res, err := status.Compute(&unstructured.Unstructured{Object: m})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.Status).To(Equal(tt.want), res.Message)
		})
	}
}
