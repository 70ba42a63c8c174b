package conditions_test

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
)

func TestSummaryPriority(t *testing.T) {
	const (
		T = metav1.ConditionTrue
		F = metav1.ConditionFalse
		U = metav1.ConditionUnknown
	)
	opts := conditions.SummaryOptions{
		Conditions:       []string{"Fetched", "Stored"},
		NegativePolarity: []string{meta.FetchFailedCondition},
	}
	tests := []struct {
		name       string
		conds      []metav1.Condition
		opts       *conditions.SummaryOptions
		wantStatus metav1.ConditionStatus
		wantReason string
	}{
		{"stalled beats everything", []metav1.Condition{
			cond(meta.FetchFailedCondition, T, "NegTrue"), cond("Fetched", F, "PosFalse"),
			cond(meta.StalledCondition, T, "Stall"), cond("Stored", U, "Unk"),
		}, nil, F, "Stall"},
		{"negative true beats positive false", []metav1.Condition{
			cond("Fetched", F, "PosFalse"), cond(meta.FetchFailedCondition, T, "NegTrue"),
		}, nil, F, "NegTrue"},
		{"positive false beats reconciling", []metav1.Condition{
			cond(meta.ReconcilingCondition, T, "Rec"), cond("Stored", F, "PosFalse"),
		}, nil, F, "PosFalse"},
		{"positive false order follows options", []metav1.Condition{
			cond("Stored", F, "Second"), cond("Fetched", F, "First"),
		}, nil, F, "First"},
		{"reconciling beats unknown", []metav1.Condition{
			cond("Fetched", U, "Unk"), cond(meta.ReconcilingCondition, T, "Rec"),
		}, nil, U, "Rec"},
		{"unknown positive beats true", []metav1.Condition{
			cond("Fetched", T, "Ok"), cond("Stored", U, "Unk"),
		}, nil, U, "Unk"},
		{"unknown negative beats true", []metav1.Condition{
			cond("Fetched", T, "Ok"), cond(meta.FetchFailedCondition, U, "NegUnk"),
		}, nil, U, "NegUnk"},
		{"negative false is fine", []metav1.Condition{
			cond("Fetched", T, "Ok"), cond(meta.FetchFailedCondition, F, "NotFailed"),
		}, nil, T, meta.SucceededReason},
		{"unowned false is ignored", []metav1.Condition{
			cond("Fetched", T, "Ok"), cond("Other", F, "Nope"),
		}, nil, T, meta.SucceededReason},
		{"nothing is ready", nil, nil, T, meta.SucceededReason},
		{"custom ready reason", []metav1.Condition{cond("Fetched", T, "Ok")},
			&conditions.SummaryOptions{Conditions: []string{"Fetched"}, ReadyReason: "Custom"}, T, "Custom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			o := opts
			if tt.opts != nil {
				o = *tt.opts
			}
			w := widget(3, tt.conds...)
			got := conditions.Summary(w, o)
			g.Expect(got.Type).To(Equal(meta.ReadyCondition))
			g.Expect(got.Status).To(Equal(tt.wantStatus))
			g.Expect(got.Reason).To(Equal(tt.wantReason))
			g.Expect(got.ObservedGeneration).To(Equal(int64(3)))
		})
	}
}

func TestSummaryMessages(t *testing.T) {
	g := NewWithT(t)
	w := widget(1, cond("Fetched", metav1.ConditionTrue, "Ok"))
	w.Status.Conditions[0].Message = "fetched rev1"
	got := conditions.Summary(w, conditions.SummaryOptions{Conditions: []string{"Fetched"}})
	g.Expect(got.Message).To(Equal("fetched rev1"))
	got = conditions.Summary(w, conditions.SummaryOptions{Conditions: []string{"Fetched"}, ReadyMessage: "all good"})
	g.Expect(got.Message).To(Equal("all good"))

	conditions.MarkStalled(w, meta.InvalidConfigReason, "bad url %q", "x")
	conditions.SetSummary(w, conditions.SummaryOptions{Conditions: []string{"Fetched"}})
	g.Expect(conditions.GetMessage(w, meta.ReadyCondition)).To(Equal(`bad url "x"`))
	g.Expect(conditions.IsFalse(w, meta.ReadyCondition)).To(BeTrue())
}
