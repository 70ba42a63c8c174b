package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// find returns the metric of family name whose labels include want.
func find(t *testing.T, reg prometheus.Gatherer, name string, want map[string]string) *dto.Metric {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metric:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if got[k] != v {
					continue metric
				}
			}
			return m
		}
	}
	t.Fatalf("no %s series with labels %v", name, want)
	return nil
}

func gauge(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	return find(t, reg, name, labels).GetGauge().GetValue()
}

func histogram(t *testing.T, reg prometheus.Gatherer, labels map[string]string) *dto.Histogram {
	t.Helper()
	return find(t, reg, "sluice_reconcile_duration_seconds", labels).GetHistogram()
}
