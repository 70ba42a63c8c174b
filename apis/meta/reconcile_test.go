package meta_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/apis/meta"
)

// A status that embeds ReconcileRequestStatus gets both interfaces.
var (
	_ meta.StatusWithHandledReconcileRequest       = meta.ReconcileRequestStatus{}
	_ meta.StatusWithHandledReconcileRequestSetter = &struct{ meta.ReconcileRequestStatus }{}
)

func TestReconcileAnnotationValue(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        string
		ok          bool
	}{
		{"nil map", nil, "", false},
		{"absent", map[string]string{"other": "x"}, "", false},
		{"empty value", map[string]string{meta.ReconcileRequestAnnotation: ""}, "", false},
		{"set", map[string]string{meta.ReconcileRequestAnnotation: "2026-11-24T01:00:00Z"}, "2026-11-24T01:00:00Z", true},
		{"force alone is no request", map[string]string{meta.ForceRequestAnnotation: "t1"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			got, ok := meta.ReconcileAnnotationValue(tt.annotations)
			g.Expect(got).To(Equal(tt.want))
			g.Expect(ok).To(Equal(tt.ok))
		})
	}
}

func TestReconcileAndForceRequested(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		lastHandled string
		reconcile   bool
		force       bool
	}{
		{"no annotations", nil, "", false, false},
		{"new request", map[string]string{meta.ReconcileRequestAnnotation: "t2"}, "t1", true, false},
		{"first request", map[string]string{meta.ReconcileRequestAnnotation: "t1"}, "", true, false},
		{"handled request", map[string]string{meta.ReconcileRequestAnnotation: "t1"}, "t1", false, false},
		{"new forced request", map[string]string{meta.ReconcileRequestAnnotation: "t2", meta.ForceRequestAnnotation: "t2"}, "t1", true, true},
		{"handled forced request", map[string]string{meta.ReconcileRequestAnnotation: "t2", meta.ForceRequestAnnotation: "t2"}, "t2", false, false},
		{"stale force token", map[string]string{meta.ReconcileRequestAnnotation: "t3", meta.ForceRequestAnnotation: "t2"}, "t2", true, false},
		{"force without request", map[string]string{meta.ForceRequestAnnotation: "t2"}, "t1", false, false},
		{"empty request with empty force", map[string]string{meta.ReconcileRequestAnnotation: "", meta.ForceRequestAnnotation: ""}, "t1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			token, ok := meta.ReconcileRequested(tt.annotations, tt.lastHandled)
			g.Expect(ok).To(Equal(tt.reconcile), "ReconcileRequested")
			g.Expect(token).To(Equal(tt.annotations[meta.ReconcileRequestAnnotation]))
			ftoken, fok := meta.ForceRequested(tt.annotations, tt.lastHandled)
			g.Expect(fok).To(Equal(tt.force), "ForceRequested")
			g.Expect(ftoken).To(Equal(token))
		})
	}
}

func TestReconcileRequestStatusRecordsToken(t *testing.T) {
	g := NewWithT(t)
	var status struct{ meta.ReconcileRequestStatus }
	var setter meta.StatusWithHandledReconcileRequestSetter = &status
	g.Expect(setter.GetLastHandledReconcileRequest()).To(BeEmpty())

	annotations := map[string]string{meta.ReconcileRequestAnnotation: "t1"}
	token, ok := meta.ReconcileRequested(annotations, setter.GetLastHandledReconcileRequest())
	g.Expect(ok).To(BeTrue())
	setter.SetLastHandledReconcileRequest(token)
	g.Expect(status.LastHandledReconcileAt).To(Equal("t1"))

	_, ok = meta.ReconcileRequested(annotations, setter.GetLastHandledReconcileRequest())
	g.Expect(ok).To(BeFalse(), "a handled request is not new")
}
