package patch_test

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/patch"
)

// A reconciler snapshots the object when it starts and writes everything it
// changed, status included, at the end: one status request per reconcile.
func ExampleHelper_Patch() {
	reconcile := func(ctx context.Context, c client.Client, req ctrl.Request) (err error) {
		var obj corev1.ConfigMap // in a real controller: the controller's own type
		if err := c.Get(ctx, req.NamespacedName, &obj); err != nil {
			return client.IgnoreNotFound(err)
		}
		helper, err := patch.NewHelper(&obj, c)
		if err != nil {
			return err
		}
		defer func() {
			patchErr := helper.Patch(ctx, &obj,
				patch.WithOwnedConditions(meta.ReadyCondition, meta.ReconcilingCondition),
				patch.WithStatusObservedGeneration())
			if err == nil {
				err = patchErr
			}
		}()
		// ... change obj's metadata, spec and status ...
		return nil
	}
	_ = reconcile
}
