package metrics

import (
	"fmt"
	"reflect"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/sluice-dev/sluice/apis/meta"
)

// Metric names.
const (
	// DurationMetric is the name of the reconcile-duration histogram.
	DurationMetric = "sluice_reconcile_duration_seconds"

	// ConditionMetric is the name of the condition gauge.
	ConditionMetric = "sluice_reconcile_condition"

	// SuspendMetric is the name of the suspend gauge.
	SuspendMetric = "sluice_suspend_status"
)

// Object is what the Recorder measures: any Kubernetes object.
type Object interface {
	metav1.Object
	runtime.Object
}

// Option configures a [Recorder].
type Option func(*options)

type options struct {
	registerer     prometheus.Registerer
	scheme         *runtime.Scheme
	conditionTypes []string
	buckets        []float64
}

// WithRegisterer sets the registry the collectors are registered on. The
// default is controller-runtime's metrics.Registry, which the manager
// serves.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(o *options) { o.registerer = r }
}

// WithScheme sets the scheme used to find the kind of typed objects whose
// TypeMeta is empty. The default is none: the Go type name is used.
func WithScheme(s *runtime.Scheme) Option {
	return func(o *options) { o.scheme = s }
}

// WithConditionTypes sets the condition types RecordConditions reports.
// The default is Ready, Reconciling and Stalled.
func WithConditionTypes(types ...string) Option {
	return func(o *options) { o.conditionTypes = append([]string(nil), types...) }
}

// WithBuckets sets the duration histogram buckets, in seconds. The default
// is prometheus.ExponentialBuckets(0.01, 2, 16): 10 ms to about 5.5 min.
func WithBuckets(b ...float64) Option {
	return func(o *options) { o.buckets = append([]float64(nil), b...) }
}

// Recorder records reconciliation metrics. Create it with [NewRecorder].
type Recorder struct {
	scheme         *runtime.Scheme
	conditionTypes []string
	duration       *prometheus.HistogramVec
	condition      *prometheus.GaugeVec
	suspend        *prometheus.GaugeVec
}

// conditionStatuses returns the statuses a condition gauge has a series
// for.
func conditionStatuses() [3]metav1.ConditionStatus {
	return [...]metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown}
}

// NewRecorder creates the collectors and registers them. It returns an
// error wrapping the registry's error when one cannot be registered; the
// collectors registered before are unregistered again.
func NewRecorder(opts ...Option) (*Recorder, error) {
	o := options{
		registerer:     crmetrics.Registry,
		conditionTypes: []string{meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition},
		buckets:        prometheus.ExponentialBuckets(0.01, 2, 16),
	}
	for _, opt := range opts {
		opt(&o)
	}
	r := &Recorder{
		scheme:         o.scheme,
		conditionTypes: o.conditionTypes,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    DurationMetric,
			Help:    "Duration of a reconciliation, in seconds.",
			Buckets: o.buckets,
		}, []string{"kind", "namespace", "name"}),
		condition: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: ConditionMetric,
			Help: "Status of an object's condition: 1 for the status the condition has, 0 for the others.",
		}, []string{"kind", "namespace", "name", "type", "status"}),
		suspend: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: SuspendMetric,
			Help: "Whether the object is suspended: 1 when it is, 0 when it is not.",
		}, []string{"kind", "namespace", "name"}),
	}
	var registered []prometheus.Collector
	for _, c := range []prometheus.Collector{r.duration, r.condition, r.suspend} {
		if err := o.registerer.Register(c); err != nil {
			for _, done := range registered {
				o.registerer.Unregister(done)
			}
			return nil, fmt.Errorf("register reconcile metrics: %w", err)
		}
		registered = append(registered, c)
	}
	return r, nil
}

// RecordDuration observes the time since start as the duration of a
// reconciliation of obj. For an object being deleted it calls Delete
// instead.
func (r *Recorder) RecordDuration(obj Object, start time.Time) {
	if r.deleting(obj) {
		return
	}
	r.duration.WithLabelValues(r.labels(obj)...).Observe(time.Since(start).Seconds())
}

// RecordConditions sets the condition gauge for each configured condition
// type: 1 for the status the object's condition has, 0 for the other
// statuses, and 0 for all statuses when the object lacks the condition.
// For an object being deleted it calls Delete instead.
func (r *Recorder) RecordConditions(obj meta.ObjectWithConditions) {
	if r.deleting(obj) {
		return
	}
	conditions := obj.GetConditions()
	labels := r.labels(obj)
	for _, t := range r.conditionTypes {
		current := metav1.ConditionStatus("")
		for _, c := range conditions {
			if c.Type == t {
				current = c.Status
				break
			}
		}
		for _, s := range conditionStatuses() {
			v := 0.0
			if s == current {
				v = 1
			}
			r.condition.WithLabelValues(append(labels, t, string(s))...).Set(v)
		}
	}
}

// RecordSuspend sets the suspend gauge of obj. For an object being deleted
// it calls Delete instead.
func (r *Recorder) RecordSuspend(obj Object, suspended bool) {
	if r.deleting(obj) {
		return
	}
	v := 0.0
	if suspended {
		v = 1
	}
	r.suspend.WithLabelValues(r.labels(obj)...).Set(v)
}

// Delete removes every series of obj.
func (r *Recorder) Delete(obj Object) {
	r.DeleteKey(r.Kind(obj), types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetName()})
}

// DeleteKey removes every series of the object of kind named key, for a
// reconciler that only knows the request's key because the object is gone
// (a Get answered NotFound) without having passed a finalizer:
//
//	if apierrors.IsNotFound(err) {
//		r.Metrics.DeleteKey(r.Metrics.Kind(&v1.MyKind{}), req.NamespacedName)
//		return ctrl.Result{}, nil
//	}
//
// kind is the value of the kind label, as [Recorder.Kind] gives it. Series
// of other kinds with the same namespace and name are kept. Deleting series
// that do not exist does nothing.
func (r *Recorder) DeleteKey(kind string, key types.NamespacedName) {
	match := prometheus.Labels{"kind": kind, "namespace": key.Namespace, "name": key.Name}
	r.duration.DeletePartialMatch(match)
	r.condition.DeletePartialMatch(match)
	r.suspend.DeletePartialMatch(match)
}

// deleting deletes the series of obj and reports true when obj has a
// deletion timestamp.
func (r *Recorder) deleting(obj Object) bool {
	if obj.GetDeletionTimestamp().IsZero() {
		return false
	}
	r.Delete(obj)
	return true
}

func (r *Recorder) labels(obj Object) []string {
	return []string{r.Kind(obj), obj.GetNamespace(), obj.GetName()}
}

// Kind returns the value of the kind label of obj's series: its TypeMeta
// kind, else the kind the [WithScheme] scheme gives its Go type, else the
// Go type name. obj may be an empty object of the kind, such as
// &v1.MyKind{}.
func (r *Recorder) Kind(obj Object) string {
	if k := obj.GetObjectKind().GroupVersionKind().Kind; k != "" {
		return k
	}
	if r.scheme != nil {
		if gvk, err := apiutil.GVKForObject(obj, r.scheme); err == nil {
			return gvk.Kind
		}
	}
	t := reflect.TypeOf(obj)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
