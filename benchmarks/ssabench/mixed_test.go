package ssabench

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// mixed returns 100 objects for one iteration: a namespaced CRD of its own
// group with 20 custom resources, 9 Namespaces, and 35 Deployments and 35
// Services in the first of those namespaces. The order is the naive one
// (definitions first), which the one-PATCH loop needs.
func mixed(tag string) []*unstructured.Unstructured {
	group := tag + ".bench.example.com"
	objs := []*unstructured.Unstructured{{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": "widgets." + group},
		"spec": map[string]any{
			"group": group,
			"names": map[string]any{"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget"},
			"scope": "Namespaced",
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object",
					"properties": map[string]any{"spec": map[string]any{
						"type":       "object",
						"properties": map[string]any{"size": map[string]any{"type": "integer"}, "colour": map[string]any{"type": "string"}},
					}},
				}},
			}},
		},
	}}}
	ns := tag + "-apps"
	for i := range 9 {
		name := ns
		if i > 0 {
			name = fmt.Sprintf("%s-extra-%d", tag, i)
		}
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name},
		}})
	}
	for i := range 35 {
		name := fmt.Sprintf("web-%02d", i)
		labels := map[string]any{"app": name}
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": name, "namespace": ns},
			"spec": map[string]any{
				"replicas": int64(1),
				"selector": map[string]any{"matchLabels": labels},
				"template": map[string]any{
					"metadata": map[string]any{"labels": labels},
					"spec": map[string]any{"containers": []any{map[string]any{
						"name": "web", "image": "registry.example.com/web:1.0",
						"ports": []any{map[string]any{"containerPort": int64(8080)}},
					}}},
				},
			},
		}})
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"name": name, "namespace": ns},
			"spec": map[string]any{
				// Headless: the benchmark creates more Services than
				// envtest's service CIDR has addresses.
				"clusterIP": "None",
				"selector":  labels,
				"ports":     []any{map[string]any{"port": int64(80), "targetPort": int64(8080)}},
			},
		}})
	}
	for i := range 20 {
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": group + "/v1", "kind": "Widget",
			"metadata": map[string]any{"name": fmt.Sprintf("widget-%02d", i), "namespace": ns},
			"spec":     map[string]any{"size": int64(i), "colour": "blue"},
		}})
	}
	return objs
}

// BenchmarkMixedStaged creates 100 mixed objects, CRD and custom resources
// included, in one call.
func BenchmarkMixedStaged(b *testing.B) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			c, cnt := countingClient(b)
			a, err := im.new(c)
			if err != nil {
				b.Fatal(err)
			}
			var counted int64
			round := 0
			for b.Loop() {
				b.StopTimer()
				round++
				objs := mixed(fmt.Sprintf("m%s%d", im.name[:1], round))
				before := cnt.n.Load()
				b.StartTimer()
				if err := a.apply(b.Context(), objs); err != nil {
					b.Fatal(err)
				}
				counted += cnt.n.Load() - before
			}
			b.ReportMetric(float64(counted)/float64(b.N*len(mixed("x"))), "req/obj")
		})
	}
}
