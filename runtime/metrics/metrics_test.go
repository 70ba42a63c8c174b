package metrics_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/metrics"
)

// widget is a minimal object with conditions.
type widget struct {
	corev1.ConfigMap
	conditions []metav1.Condition
}

func (w *widget) GetConditions() []metav1.Condition { return w.conditions }

func newWidget(name string, conditions ...metav1.Condition) *widget {
	w := &widget{conditions: conditions}
	w.Kind = "Widget"
	w.Name = name
	w.Namespace = "apps"
	return w
}

func cond(t string, s metav1.ConditionStatus) metav1.Condition {
	return metav1.Condition{Type: t, Status: s, Reason: "Test"}
}

// coreScheme returns a new scheme of the core API group.
func coreScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	NewWithT(t).Expect(corev1.AddToScheme(s)).To(Succeed())
	return s
}

func newRecorder(t *testing.T, opts ...metrics.Option) (*metrics.Recorder, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	rec, err := metrics.NewRecorder(append([]metrics.Option{metrics.WithRegisterer(reg)}, opts...)...)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return rec, reg
}

func TestRecordConditions(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t)
	rec.RecordConditions(newWidget("a", cond(meta.ReadyCondition, metav1.ConditionFalse), cond(meta.StalledCondition, metav1.ConditionTrue)))

	want := `
# HELP sluice_reconcile_condition Status of an object's condition: 1 for the status the condition has, 0 for the others.
# TYPE sluice_reconcile_condition gauge
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="False",type="Ready"} 1
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="True",type="Ready"} 0
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="Unknown",type="Ready"} 0
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="False",type="Reconciling"} 0
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="True",type="Reconciling"} 0
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="Unknown",type="Reconciling"} 0
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="False",type="Stalled"} 0
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="True",type="Stalled"} 1
sluice_reconcile_condition{kind="Widget",name="a",namespace="apps",status="Unknown",type="Stalled"} 0
`
	g.Expect(testutil.GatherAndCompare(reg, strings.NewReader(want), metrics.ConditionMetric)).To(Succeed())

	// A later reconciliation moves the gauge to the new status.
	rec.RecordConditions(newWidget("a", cond(meta.ReadyCondition, metav1.ConditionTrue)))
	g.Expect(gauge(t, reg, metrics.ConditionMetric, map[string]string{"name": "a", "type": "Ready", "status": "True"})).To(Equal(1.0))
	g.Expect(gauge(t, reg, metrics.ConditionMetric, map[string]string{"name": "a", "type": "Ready", "status": "False"})).To(Equal(0.0))
	g.Expect(gauge(t, reg, metrics.ConditionMetric, map[string]string{"name": "a", "type": "Stalled", "status": "True"})).To(Equal(0.0))
}

func TestWithConditionTypes(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t, metrics.WithConditionTypes(meta.HealthyCondition))
	rec.RecordConditions(newWidget("a", cond(meta.ReadyCondition, metav1.ConditionTrue), cond(meta.HealthyCondition, metav1.ConditionUnknown)))
	g.Expect(testutil.CollectAndCount(reg, metrics.ConditionMetric)).To(Equal(3))
	g.Expect(gauge(t, reg, metrics.ConditionMetric, map[string]string{"type": "Healthy", "status": "Unknown"})).To(Equal(1.0))
}

func TestRecordSuspend(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t)
	rec.RecordSuspend(newWidget("a"), true)
	rec.RecordSuspend(newWidget("b"), false)
	want := `
# HELP sluice_suspend_status Whether the object is suspended: 1 when it is, 0 when it is not.
# TYPE sluice_suspend_status gauge
sluice_suspend_status{kind="Widget",name="a",namespace="apps"} 1
sluice_suspend_status{kind="Widget",name="b",namespace="apps"} 0
`
	g.Expect(testutil.GatherAndCompare(reg, strings.NewReader(want), metrics.SuspendMetric)).To(Succeed())
}

func TestRecordDuration(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t, metrics.WithBuckets(1, 10))
	rec.RecordDuration(newWidget("a"), time.Now().Add(-2*time.Second))
	rec.RecordDuration(newWidget("a"), time.Now())
	h := histogram(t, reg, map[string]string{"kind": "Widget", "name": "a", "namespace": "apps"})
	g.Expect(h.GetSampleCount()).To(Equal(uint64(2)))
	g.Expect(h.GetSampleSum()).To(BeNumerically(">=", 2.0))
	g.Expect(h.GetBucket()[0].GetCumulativeCount()).To(Equal(uint64(1)), "one sample under 1s")
	g.Expect(h.GetBucket()[1].GetCumulativeCount()).To(Equal(uint64(2)), "both under 10s")
}

func TestDelete(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t)
	a, b := newWidget("a", cond(meta.ReadyCondition, metav1.ConditionTrue)), newWidget("b")
	for _, w := range []*widget{a, b} {
		rec.RecordDuration(w, time.Now())
		rec.RecordConditions(w)
		rec.RecordSuspend(w, false)
	}
	g.Expect(testutil.CollectAndCount(reg)).To(Equal(2 + 2*9 + 2))

	rec.Delete(a)
	g.Expect(testutil.CollectAndCount(reg, metrics.DurationMetric)).To(Equal(1))
	g.Expect(testutil.CollectAndCount(reg, metrics.ConditionMetric)).To(Equal(9))
	g.Expect(testutil.CollectAndCount(reg, metrics.SuspendMetric)).To(Equal(1))
	g.Expect(gauge(t, reg, metrics.SuspendMetric, map[string]string{"name": "b"})).To(Equal(0.0))
}

func TestDeleteKey(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t)
	gone, kept := newWidget("a", cond(meta.ReadyCondition, metav1.ConditionTrue)), newWidget("b")
	// Another kind with the same namespace and name.
	gadget := newWidget("a")
	gadget.Kind = "Gadget"
	for _, w := range []*widget{gone, kept, gadget} {
		rec.RecordDuration(w, time.Now())
		rec.RecordConditions(w)
		rec.RecordSuspend(w, false)
	}
	g.Expect(testutil.CollectAndCount(reg)).To(Equal(3 * (1 + 9 + 1)))

	// The object is gone: only its key and its kind are known.
	g.Expect(rec.Kind(newWidget(""))).To(Equal("Widget"))
	rec.DeleteKey(rec.Kind(newWidget("")), types.NamespacedName{Namespace: "apps", Name: "a"})
	g.Expect(testutil.CollectAndCount(reg, metrics.DurationMetric)).To(Equal(2))
	g.Expect(testutil.CollectAndCount(reg, metrics.ConditionMetric)).To(Equal(2 * 9))
	g.Expect(testutil.CollectAndCount(reg, metrics.SuspendMetric)).To(Equal(2))
	g.Expect(testutil.CollectAndCount(reg)).To(Equal(2 * (1 + 9 + 1)))
	g.Expect(gauge(t, reg, metrics.SuspendMetric, map[string]string{"kind": "Widget", "name": "b"})).To(Equal(0.0))
	g.Expect(gauge(t, reg, metrics.SuspendMetric, map[string]string{"kind": "Gadget", "name": "a"})).To(Equal(0.0))

	// Deleting again, or a key that never had series, changes nothing.
	rec.DeleteKey("Widget", types.NamespacedName{Namespace: "apps", Name: "a"})
	rec.DeleteKey("Widget", types.NamespacedName{Namespace: "other", Name: "b"})
	g.Expect(testutil.CollectAndCount(reg)).To(Equal(2 * (1 + 9 + 1)))

	// The series of a typed object, read through a client with TypeMeta
	// cleared, go with the kind the scheme gives an empty object.
	typed, treg := newRecorder(t, metrics.WithScheme(coreScheme(t)))
	typed.RecordSuspend(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "apps"}}, true)
	g.Expect(testutil.CollectAndCount(treg)).To(Equal(1))
	g.Expect(typed.Kind(&corev1.ConfigMap{})).To(Equal("ConfigMap"))
	typed.DeleteKey(typed.Kind(&corev1.ConfigMap{}), types.NamespacedName{Namespace: "apps", Name: "c"})
	g.Expect(testutil.CollectAndCount(treg)).To(BeZero())
}

func TestDeletionTimestampDeletesSeries(t *testing.T) {
	g := NewWithT(t)
	rec, reg := newRecorder(t)
	w := newWidget("a", cond(meta.ReadyCondition, metav1.ConditionTrue))
	rec.RecordDuration(w, time.Now())
	rec.RecordConditions(w)
	rec.RecordSuspend(w, true)
	g.Expect(testutil.CollectAndCount(reg)).To(Equal(11))

	now := metav1.Now()
	w.DeletionTimestamp = &now
	for name, record := range map[string]func(){
		"conditions": func() { rec.RecordConditions(w) },
		"suspend":    func() { rec.RecordSuspend(w, true) },
		"duration":   func() { rec.RecordDuration(w, time.Now()) },
	} {
		rec.RecordSuspend(newWidget("a"), true) // recreate a series to delete
		record()
		g.Expect(testutil.CollectAndCount(reg)).To(BeZero(), name)
	}
}

func TestKindOfTypedObject(t *testing.T) {
	for name, opts := range map[string][]metrics.Option{
		"scheme":    {metrics.WithScheme(coreScheme(t))},
		"type name": nil,
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			rec, reg := newRecorder(t, opts...)
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "apps"}}
			rec.RecordSuspend(cm, true)
			g.Expect(gauge(t, reg, metrics.SuspendMetric, map[string]string{"kind": "ConfigMap", "name": "c"})).To(Equal(1.0))
		})
	}
}

// failingRegisterer accepts the first n collectors and refuses the rest.
type failingRegisterer struct {
	*prometheus.Registry
	accept int
}

func (f *failingRegisterer) Register(c prometheus.Collector) error {
	if f.accept == 0 {
		return errors.New("registry full")
	}
	f.accept--
	return f.Registry.Register(c)
}

func TestNewRecorderRegisterError(t *testing.T) {
	g := NewWithT(t)
	reg := &failingRegisterer{Registry: prometheus.NewPedanticRegistry(), accept: 2}
	_, err := metrics.NewRecorder(metrics.WithRegisterer(reg))
	g.Expect(err).To(MatchError("register reconcile metrics: registry full"))

	// The collectors registered before the failure were rolled back, so
	// a new recorder registers all three.
	_, err = metrics.NewRecorder(metrics.WithRegisterer(reg.Registry))
	g.Expect(err).NotTo(HaveOccurred())

	// A second recorder on the same registry collides with the first.
	_, err = metrics.NewRecorder(metrics.WithRegisterer(reg.Registry))
	var already prometheus.AlreadyRegisteredError
	g.Expect(errors.As(err, &already)).To(BeTrue())
}

func TestNewRecorderDefaultRegistry(t *testing.T) {
	g := NewWithT(t)
	rec, err := metrics.NewRecorder()
	g.Expect(err).NotTo(HaveOccurred())
	// A second recorder on controller-runtime's registry collides.
	_, err = metrics.NewRecorder()
	g.Expect(err).To(HaveOccurred())
	g.Expect(rec).NotTo(BeNil())
}
