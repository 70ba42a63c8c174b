package patch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrNilArgument is returned by [NewHelper] for a nil object or client.
var ErrNilArgument = errors.New("nil object or client")

// conflictBackoff bounds the retries of the status write: about 1.2s in
// all, enough for a cached client to catch up with a concurrent writer.
func conflictBackoff() wait.Backoff {
	return wait.Backoff{Steps: 6, Duration: 10 * time.Millisecond, Factor: 3, Jitter: 0.1}
}

// Helper remembers an object as it was when a reconcile started and
// writes the reconcile's changes with [Helper.Patch]. Create it with
// [NewHelper]; see the package documentation for the write rules.
type Helper struct {
	client client.Client
	before map[string]any
}

// NewHelper snapshots obj (a deep copy, so later changes to obj do not
// reach it) for patching through c.
//
// It returns [ErrNilArgument] when obj or c is nil, and a wrapped error
// when obj cannot be converted to unstructured form.
func NewHelper(obj client.Object, c client.Client) (*Helper, error) {
	if obj == nil || c == nil {
		return nil, fmt.Errorf("new patch helper: %w", ErrNilArgument)
	}
	before, err := toMap(obj)
	if err != nil {
		return nil, fmt.Errorf("new patch helper: %w", err)
	}
	return &Helper{client: c, before: before}, nil
}

// Patch writes obj's changes since the snapshot: first the status, in one
// merge patch to the status subresource guarded by the snapshot's
// resourceVersion (retried with a three-way condition merge on conflict,
// see the package documentation), then metadata and spec in one merge
// patch of the changed fields. Nothing is sent for a part that did not
// change. On success obj holds the server's copy and becomes the new
// snapshot, so the helper may patch again.
//
// When obj is being deleted and is gone from the server, Patch returns
// nil: removing the last finalizer is allowed to end the object.
//
// Patch returns the API server's errors wrapped with the failing part;
// after too many conflicts apierrors.IsConflict reports true. On error obj
// may hold the server's copy of the parts already written.
func (h *Helper) Patch(ctx context.Context, obj client.Object, opts ...Option) error {
	o := newOptions(opts)
	after, err := toMap(obj)
	if err != nil {
		return fmt.Errorf("patch %s: %w", key(obj), err)
	}
	if o.observedGeneration {
		if err := unstructured.SetNestedField(after, obj.GetGeneration(), "status", "observedGeneration"); err != nil {
			return fmt.Errorf("patch %s: set status.observedGeneration: %w", key(obj), err)
		}
	}
	restPatch, err := mergePatch(withoutStatus(h.before), withoutStatus(after))
	if err != nil {
		return fmt.Errorf("patch %s: %w", key(obj), err)
	}
	deleting := obj.GetDeletionTimestamp() != nil

	if err := h.patchStatus(ctx, obj, after, o); err != nil {
		if deleting && apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("patch status of %s: %w", key(obj), err)
	}
	if restPatch != nil {
		if err := h.client.Patch(ctx, obj, client.RawPatch(types.MergePatchType, restPatch)); err != nil {
			if deleting && apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("patch metadata and spec of %s: %w", key(obj), err)
		}
	}
	if h.before, err = toMap(obj); err != nil {
		return fmt.Errorf("patch %s: snapshot: %w", key(obj), err)
	}
	return nil
}

// patchStatus sends the status changes from h.before to after in one
// write, retrying with a fresh server copy on conflict.
func (h *Helper) patchStatus(ctx context.Context, obj client.Object, after map[string]any, o options) error {
	baseStatus, _, _ := unstructured.NestedMap(h.before, "status")
	ourStatus, _, _ := unstructured.NestedMap(after, "status")
	baseConds := conditionsOf(baseStatus)
	ourConds := conditionsOf(ourStatus)
	fieldsPatch, err := mergePatch(
		map[string]any{"status": withoutConditions(baseStatus)},
		map[string]any{"status": withoutConditions(ourStatus)})
	if err != nil {
		return err
	}

	theirConds := baseConds
	resourceVersion := obj.GetResourceVersion()
	if rv, ok, _ := unstructured.NestedString(h.before, "metadata", "resourceVersion"); ok {
		resourceVersion = rv
	}
	first := true
	return retry.RetryOnConflict(conflictBackoff(), func() error {
		if !first {
			latest := &unstructured.Unstructured{}
			latest.SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
			if latest.GetKind() == "" {
				gvk, err := h.client.GroupVersionKindFor(obj)
				if err != nil {
					return fmt.Errorf("read latest: %w", err)
				}
				latest.SetGroupVersionKind(gvk)
			}
			if err := h.client.Get(ctx, client.ObjectKeyFromObject(obj), latest); err != nil {
				return fmt.Errorf("read latest: %w", err)
			}
			theirStatus, _, _ := unstructured.NestedMap(latest.Object, "status")
			theirConds = conditionsOf(theirStatus)
			resourceVersion = latest.GetResourceVersion()
		}
		first = false

		body := map[string]any{}
		if fieldsPatch != nil {
			if err := json.Unmarshal(fieldsPatch, &body); err != nil {
				return fmt.Errorf("decode status patch: %w", err)
			}
		}
		merged := mergeConditions(baseConds, ourConds, theirConds, o.owned)
		if !sameConditions(merged, theirConds) {
			if err := unstructured.SetNestedSlice(body, merged, "status", "conditions"); err != nil {
				return fmt.Errorf("build status patch: %w", err)
			}
		}
		if len(body) == 0 {
			return nil
		}
		if err := unstructured.SetNestedField(body, resourceVersion, "metadata", "resourceVersion"); err != nil {
			return fmt.Errorf("build status patch: %w", err)
		}
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode status patch: %w", err)
		}
		return h.client.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, data))
	})
}

func key(obj client.Object) string { return obj.GetNamespace() + "/" + obj.GetName() }

// toMap returns a deep copy of obj in unstructured form.
func toMap(obj client.Object) (map[string]any, error) {
	if u, ok := obj.(runtime.Unstructured); ok {
		return runtime.DeepCopyJSON(u.UnstructuredContent()), nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("convert to unstructured: %w", err)
	}
	return m, nil
}

// withoutStatus returns a shallow copy of m without status and without
// the metadata fields a merge patch must never carry.
func withoutStatus(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != "status" {
			out[k] = v
		}
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		cp := make(map[string]any, len(md))
		for k, v := range md {
			if k != "resourceVersion" && k != "managedFields" {
				cp[k] = v
			}
		}
		out["metadata"] = cp
	}
	return out
}

func withoutConditions(status map[string]any) map[string]any {
	out := make(map[string]any, len(status))
	for k, v := range status {
		if k != "conditions" {
			out[k] = v
		}
	}
	return out
}

// mergePatch returns the JSON merge patch from before to after, or nil
// when they are equal.
func mergePatch(before, after map[string]any) ([]byte, error) {
	data, err := client.MergeFrom(&unstructured.Unstructured{Object: before}).Data(&unstructured.Unstructured{Object: after})
	if err != nil {
		return nil, fmt.Errorf("compute merge patch: %w", err)
	}
	if string(data) == "{}" {
		return nil, nil
	}
	return data, nil
}
