package ssabench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	fluxssa "github.com/fluxcd/pkg/ssa"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/ssa"
)

// applier applies a set of objects the way one implementation does.
type applier interface {
	apply(ctx context.Context, objs []*unstructured.Unstructured) error
}

// impl builds an applier on a counted client.
type impl struct {
	name string
	new  func(c client.Client) (applier, error)
}

var impls = []impl{
	{"sluice", func(c client.Client) (applier, error) {
		m, err := ssa.New(c, ssa.Owner{Field: "sluice-bench", Group: "bench.sluice.dev", Name: "bench", Namespace: "default"})
		return sluiceApplier{m}, err
	}},
	{"fluxcd", func(c client.Client) (applier, error) {
		poller := polling.NewStatusPoller(c, c.RESTMapper(), polling.Options{})
		m := fluxssa.NewResourceManager(c, poller, fluxssa.Owner{Field: "flux-bench", Group: "bench.fluxcd.io"})
		return fluxApplier{m}, nil
	}},
	{"patch-loop", func(c client.Client) (applier, error) {
		return loopApplier{c}, nil
	}},
}

type sluiceApplier struct{ m *ssa.ResourceManager }

func (a sluiceApplier) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	_, err := a.m.ApplyAll(ctx, objs, ssa.ApplyOptions{})
	return err
}

type fluxApplier struct{ m *fluxssa.ResourceManager }

func (a fluxApplier) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	opts := fluxssa.DefaultApplyOptions()
	_, err := a.m.ApplyAllStaged(ctx, objs, opts)
	return err
}

// loopApplier sends one apply PATCH per object, in order, retrying custom
// resources until their CRD is served.
type loopApplier struct{ c client.Client }

func (a loopApplier) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	for _, obj := range objs {
		for {
			err := a.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner("loop-bench"), client.ForceOwnership)
			if err == nil {
				break
			}
			// A custom resource whose CRD is not served yet: retry.
			if !meta.IsNoMatchError(err) && !apierrors.IsNotFound(err) {
				return fmt.Errorf("apply %s/%s: %w", obj.GetKind(), obj.GetName(), err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// copies returns deep copies, since appliers may modify what they get.
func copies(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o.DeepCopy()
	}
	return out
}

// configMaps returns n ConfigMaps in ns.
func configMaps(ns string, n int) []*unstructured.Unstructured {
	objs := make([]*unstructured.Unstructured, n)
	for i := range objs {
		objs[i] = &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata":   map[string]any{"name": fmt.Sprintf("cm-%04d", i), "namespace": ns},
			"data": map[string]any{
				"index":  fmt.Sprint(i),
				"config": fmt.Sprintf("key-%d: value\nother: %d\n", i, i*7),
			},
		}}
	}
	return objs
}

const setSize = 1000

// BenchmarkCreate applies 1,000 new ConfigMaps into a fresh namespace.
func BenchmarkCreate(b *testing.B) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			c, cnt := countingClient(b)
			a, err := im.new(c)
			if err != nil {
				b.Fatal(err)
			}
			var counted int64
			for b.Loop() {
				b.StopTimer()
				objs := configMaps(namespace(b, "create-"+im.name), setSize)
				before := cnt.n.Load()
				b.StartTimer()
				if err := a.apply(b.Context(), objs); err != nil {
					b.Fatal(err)
				}
				counted += cnt.n.Load() - before
			}
			b.ReportMetric(float64(counted)/float64(b.N*setSize), "req/obj")
		})
	}
}

// benchReapply applies 1,000 ConfigMaps once with each implementation, then
// re-applies them every iteration after change (timer stopped) has edited
// a fresh copy for that round.
func benchReapply(b *testing.B, prefix string, change func(set []*unstructured.Unstructured, round int)) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			c, cnt := countingClient(b)
			a, err := im.new(c)
			if err != nil {
				b.Fatal(err)
			}
			objs := configMaps(namespace(b, prefix+im.name), setSize)
			if err := a.apply(b.Context(), copies(objs)); err != nil {
				b.Fatal(err)
			}
			var counted int64
			round := 0
			for b.Loop() {
				b.StopTimer()
				round++
				set := copies(objs)
				change(set, round)
				before := cnt.n.Load()
				b.StartTimer()
				if err := a.apply(b.Context(), set); err != nil {
					b.Fatal(err)
				}
				counted += cnt.n.Load() - before
			}
			b.ReportMetric(float64(counted)/float64(b.N*setSize), "req/obj")
		})
	}
}

// BenchmarkNoOpReapply re-applies 1,000 ConfigMaps that are already in
// place.
func BenchmarkNoOpReapply(b *testing.B) {
	benchReapply(b, "noop-", func([]*unstructured.Unstructured, int) {})
}

// BenchmarkTenPercentChanged re-applies 1,000 ConfigMaps of which 100 have
// new data each time.
func BenchmarkTenPercentChanged(b *testing.B) {
	benchReapply(b, "ten-", func(set []*unstructured.Unstructured, round int) {
		for i := 0; i < len(set); i += 10 {
			if err := unstructured.SetNestedField(set[i].Object, fmt.Sprint(round), "data", "round"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
