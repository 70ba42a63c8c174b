package patch_test

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/runtime/patch"
)

// A reconcile snapshots the object when it starts and writes everything it
// changed at the end: the status in one request, then the finalizer.
// testapi.Widget stands for the controller's own type, and
// controller-runtime's fake client for the API server (the package's
// tests use a real one).
func ExampleHelper_Patch() {
	ctx := context.Background()
	scheme := runtime.NewScheme()
	if err := testapi.AddToScheme(scheme); err != nil {
		fmt.Println(err)
		return
	}
	key := client.ObjectKey{Namespace: "default", Name: "w"}
	stored := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, Generation: 1},
		Spec:       testapi.WidgetSpec{Value: "v1"},
	}
	writes := map[string]int{}
	c := fake.NewClientBuilder().WithScheme(scheme).
		WithObjects(stored).WithStatusSubresource(stored).
		WithInterceptorFuncs(interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
				writes["metadata and spec"]++
				return c.Patch(ctx, obj, p, opts...)
			},
			SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
				writes[sub]++
				return c.SubResource(sub).Patch(ctx, obj, p, opts...)
			},
		}).Build()

	// The reconcile.
	var w testapi.Widget
	if err := c.Get(ctx, key, &w); err != nil {
		fmt.Println(err)
		return
	}
	helper, err := patch.NewHelper(&w, c)
	if err != nil {
		fmt.Println(err)
		return
	}
	controllerutil.AddFinalizer(&w, "example.sluice.dev/cleanup")
	w.Status.Value = w.Spec.Value
	conditions.MarkTrue(&w, meta.ReadyCondition, meta.SucceededReason, "stored %s", w.Spec.Value)
	err = helper.Patch(ctx, &w,
		patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition),
		patch.WithStatusObservedGeneration())
	if err != nil {
		fmt.Println(err)
		return
	}

	var got testapi.Widget
	if err := c.Get(ctx, key, &got); err != nil {
		fmt.Println(err)
		return
	}
	ready := conditions.Get(&got, meta.ReadyCondition)
	fmt.Println("status writes:", writes["status"])
	fmt.Println("metadata and spec writes:", writes["metadata and spec"])
	fmt.Println("finalizers:", got.Finalizers)
	fmt.Println("status.value:", got.Status.Value)
	fmt.Println("status.observedGeneration:", got.Status.ObservedGeneration)
	fmt.Println("Ready:", ready.Status, ready.Reason, ready.Message)
	// Output:
	// status writes: 1
	// metadata and spec writes: 1
	// finalizers: [example.sluice.dev/cleanup]
	// status.value: v1
	// status.observedGeneration: 1
	// Ready: True Succeeded stored v1
}
