package quickstart

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/runtime/conditions"

	"github.com/sluice-dev/sluice/apis/meta"
)

// newSync returns the Sync that applies path of the GitRepository name.
func newSync(name, namespace, path string, interval metav1.Duration) *applyv1.Sync {
	prune := true
	return &applyv1.Sync{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: applyv1.SyncSpec{
			SourceRef: applyv1.SourceReference{Kind: sourcev1.GitRepositoryKind, Name: name},
			Path:      path,
			Interval:  interval,
			Prune:     &prune,
			Wait:      true,
		},
	}
}

// waitApplied waits until sync is Ready with revision applied.
func (q *run) waitApplied(ctx context.Context, sync *applyv1.Sync, revision string) error {
	key := client.ObjectKeyFromObject(sync)
	err := poll(ctx, func(ctx context.Context) (bool, error) {
		if err := q.client.Get(ctx, key, sync); err != nil {
			return false, err
		}
		if conditions.IsTrue(sync, meta.StalledCondition) {
			return false, fmt.Errorf("the Sync %s is stalled: %s", key, conditions.GetMessage(sync, meta.StalledCondition))
		}
		return conditions.IsTrue(sync, meta.ReadyCondition) && sync.Status.LastAppliedRevision == revision, nil
	})
	if err != nil {
		return fmt.Errorf("the Sync %s did not apply %s (Ready: %s): %w", key, revision, conditions.GetMessage(sync, meta.ReadyCondition), err)
	}
	return nil
}

// inventoryOf lists the objects sync applied as "Kind namespace/name".
func inventoryOf(sync *applyv1.Sync) []string {
	if sync.Status.Inventory == nil {
		return nil
	}
	var out []string
	for _, e := range sync.Status.Inventory.Entries {
		// An entry id is "<namespace>_<name>_<group>_<kind>".
		parts := strings.Split(e.ID, "_")
		if len(parts) != 4 {
			out = append(out, e.ID)
			continue
		}
		name := parts[1]
		if parts[0] != "" {
			name = parts[0] + "/" + name
		}
		out = append(out, parts[3]+" "+name)
	}
	return out
}
