package metrics_test

import (
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/metrics"
)

func ExampleRecorder() {
	reg := prometheus.NewRegistry()
	rec, err := metrics.NewRecorder(metrics.WithRegisterer(reg), metrics.WithConditionTypes(meta.ReadyCondition))
	if err != nil {
		fmt.Println(err)
		return
	}
	obj := newWidget("podinfo", metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionTrue})
	rec.RecordConditions(obj)
	rec.RecordSuspend(obj, false)

	err = testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP sluice_suspend_status Whether the object is suspended: 1 when it is, 0 when it is not.
# TYPE sluice_suspend_status gauge
sluice_suspend_status{kind="Widget",name="podinfo",namespace="apps"} 0
`), metrics.SuspendMetric)
	fmt.Println(err, testutil.CollectAndCount(reg, metrics.ConditionMetric))

	rec.Delete(obj)
	fmt.Println(testutil.CollectAndCount(reg))
	// Output:
	// <nil> 3
	// 0
}

func ExampleRecorder_DeleteKey() {
	reg := prometheus.NewRegistry()
	rec, err := metrics.NewRecorder(metrics.WithRegisterer(reg))
	if err != nil {
		fmt.Println(err)
		return
	}
	rec.RecordSuspend(newWidget("podinfo"), false)
	fmt.Println(testutil.CollectAndCount(reg))

	// Later the Widget is deleted without a finalizer: the reconciler's Get
	// answers NotFound, and only the request's key is known.
	key := types.NamespacedName{Namespace: "apps", Name: "podinfo"}
	rec.DeleteKey(rec.Kind(newWidget("")), key)
	fmt.Println(testutil.CollectAndCount(reg))
	// Output:
	// 1
	// 0
}
