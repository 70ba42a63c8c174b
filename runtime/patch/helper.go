package patch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrNilArgument is returned by [NewHelper] for a nil object or client.
var ErrNilArgument = errors.New("nil object or client")

// conflictBackoff bounds the attempts of one write: 6 in all, about 1.2s
// of waiting between them.
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
// reach it) for patching through c. The snapshot may come from a cache:
// see the package documentation for what a stale snapshot costs.
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

// Patch writes obj's changes since the snapshot in at most two writes:
// first the status, in one merge patch to the status subresource, then
// metadata and spec in one merge patch of the changed fields. Nothing is
// sent for a part that did not change, or that the server's copy already
// holds. A write that replaces a list (status.conditions,
// metadata.finalizers, any other list) carries the resourceVersion of the
// server copy it was computed against; on a conflict Patch reads the
// object again, merges (conditions three ways, finalizers as a set) and
// writes again, up to 6 attempts. The package documentation lists the
// rules and the number of requests each case costs. On success obj holds
// the server's copy and becomes the new snapshot, so the helper may patch
// again.
//
// When obj is being deleted and is gone from the server, Patch returns
// nil: removing the last finalizer is allowed to end the object.
//
// Patch returns the API server's errors wrapped with the failing part;
// after too many conflicts, or when another writer changed a list other
// than the finalizers that the reconcile also changed, apierrors.IsConflict
// reports true. On error obj may hold a server copy read or written so far.
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
	deleting := obj.GetDeletionTimestamp() != nil
	gone := func(err error) bool { return deleting && apierrors.IsNotFound(err) }

	status, err := h.statusWriter(after, o)
	if err != nil {
		return fmt.Errorf("patch status of %s: %w", key(obj), err)
	}
	theirs, err := h.write(ctx, obj, h.before, status)
	if err != nil {
		if gone(err) {
			return nil
		}
		return fmt.Errorf("patch status of %s: %w", key(obj), err)
	}
	rest, err := h.restWriter(obj, after)
	if err != nil {
		return fmt.Errorf("patch metadata and spec of %s: %w", key(obj), err)
	}
	if _, err := h.write(ctx, obj, theirs, rest); err != nil {
		if gone(err) {
			return nil
		}
		return fmt.Errorf("patch metadata and spec of %s: %w", key(obj), err)
	}
	if h.before, err = toMap(obj); err != nil {
		return fmt.Errorf("patch %s: snapshot: %w", key(obj), err)
	}
	return nil
}

// writer is one of the two writes of [Helper.Patch].
type writer struct {
	// build returns the patch body that brings theirs, a server copy, to
	// the reconcile's outcome, or nil when theirs already holds it.
	build func(theirs map[string]any) (map[string]any, error)
	// read returns the server's current copy of obj.
	read func(ctx context.Context, obj client.Object) (map[string]any, error)
	// send writes a body to the object u names, decoding the server's
	// copy into u.
	send func(ctx context.Context, u *unstructured.Unstructured, data []byte) error
}

// write sends one part on top of theirs, the freshest server copy known,
// and retries on conflicts with a copy read again. It returns the server's
// copy afterwards: the response of the write, the copy read, or theirs
// when nothing was sent. obj holds it too, unless nothing was read or sent.
// theirs is never modified: a new map replaces it.
func (h *Helper) write(ctx context.Context, obj client.Object, theirs map[string]any, w writer) (map[string]any, error) {
	first := true
	err := retry.OnError(conflictBackoff(), retriable, func() error {
		if !first {
			latest, err := w.read(ctx, obj)
			if err != nil {
				return fmt.Errorf("read latest: %w", err)
			}
			if err := fromMap(latest, obj); err != nil {
				return fmt.Errorf("read latest: %w", err)
			}
			theirs = latest
		}
		first = false
		body, err := w.build(theirs)
		if err != nil || body == nil {
			return err
		}
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode patch: %w", err)
		}
		// The response goes into a new object: decoding into obj would
		// keep the fields the response lacks, such as finalizers the
		// reconcile added and has not written yet.
		u, err := h.newUnstructured(obj)
		if err != nil {
			return err
		}
		if err := w.send(ctx, u, data); err != nil {
			return err
		}
		if err := fromMap(u.Object, obj); err != nil {
			return err
		}
		theirs = u.Object
		return nil
	})
	return theirs, err
}

// retriable says whether a write is worth another attempt.
func retriable(err error) bool {
	var changed *listChangedError
	return apierrors.IsConflict(err) && !errors.As(err, &changed)
}

// statusWriter returns the status write: the status fields the reconcile
// changed, ours win; the conditions merged three ways, sent with the
// resourceVersion of the copy they were merged with, and read again from
// the status subresource, which no client cache serves.
func (h *Helper) statusWriter(after map[string]any, o options) (writer, error) {
	baseStatus, _, _ := unstructured.NestedMap(h.before, "status")
	ourStatus, _, _ := unstructured.NestedMap(after, "status")
	baseConds := conditionsOf(baseStatus)
	ourConds := conditionsOf(ourStatus)
	fields, err := mergePatch(
		map[string]any{"status": withoutConditions(baseStatus)},
		map[string]any{"status": withoutConditions(ourStatus)})
	if err != nil {
		return writer{}, err
	}
	build := func(theirs map[string]any) (map[string]any, error) {
		body, err := decodePatch(fields)
		if err != nil {
			return nil, err
		}
		prune(body, theirs)
		theirStatus, _, _ := unstructured.NestedMap(theirs, "status")
		theirConds := conditionsOf(theirStatus)
		merged := mergeConditions(baseConds, ourConds, theirConds, o.owned)
		if !sameConditions(merged, theirConds) {
			if err := unstructured.SetNestedSlice(body, merged, "status", "conditions"); err != nil {
				return nil, fmt.Errorf("build status patch: %w", err)
			}
			lock(body, theirs)
		}
		if len(body) == 0 {
			return nil, nil
		}
		return body, nil
	}
	read := func(ctx context.Context, obj client.Object) (map[string]any, error) {
		u, err := h.newUnstructured(obj)
		if err != nil {
			return nil, err
		}
		latest := &unstructured.Unstructured{}
		latest.SetGroupVersionKind(u.GroupVersionKind())
		if err := h.client.SubResource("status").Get(ctx, u, latest); err != nil {
			return nil, err
		}
		return latest.Object, nil
	}
	send := func(ctx context.Context, u *unstructured.Unstructured, data []byte) error {
		return h.client.Status().Patch(ctx, u, client.RawPatch(types.MergePatchType, data))
	}
	return writer{build: build, read: read, send: send}, nil
}

// restWriter returns the metadata and spec write: a merge patch of the
// changed fields, where labels and annotations change key by key, the
// finalizers the reconcile added or removed are applied to the server's
// list, and any other list is replaced only while the server still holds
// the snapshot's value. A body with a list in it carries the
// resourceVersion of the copy it was computed against.
func (h *Helper) restWriter(obj client.Object, after map[string]any) (writer, error) {
	base, ours := withoutStatus(h.before), withoutStatus(after)
	keepEmptyMaps(base, ours, "labels", "annotations")
	fields, err := mergePatch(base, ours)
	if err != nil {
		return writer{}, err
	}
	added, removed := finalizerDelta(finalizersOf(h.before), finalizersOf(after))
	build := func(theirs map[string]any) (map[string]any, error) {
		body, err := decodePatch(fields)
		if err != nil {
			return nil, err
		}
		prune(body, theirs)
		locked := false
		for _, path := range listPaths(body, nil) {
			was, _, _ := unstructured.NestedFieldNoCopy(h.before, path...)
			now, _, _ := unstructured.NestedFieldNoCopy(theirs, path...)
			if !equalJSON(was, now) {
				return nil, h.listChanged(obj, strings.Join(path, "."))
			}
			locked = true
		}
		theirFinalizers := finalizersOf(theirs)
		if f := applyDelta(theirFinalizers, added, removed); !slices.Equal(f, theirFinalizers) {
			md, _ := body["metadata"].(map[string]any)
			if md == nil {
				md = map[string]any{}
				body["metadata"] = md
			}
			md["finalizers"] = nil
			if len(f) > 0 {
				md["finalizers"] = f
			}
			locked = true
		}
		if len(body) == 0 {
			return nil, nil
		}
		if locked {
			lock(body, theirs)
		}
		return body, nil
	}
	read := func(ctx context.Context, obj client.Object) (map[string]any, error) {
		latest, err := h.newUnstructured(obj)
		if err != nil {
			return nil, err
		}
		if err := h.client.Get(ctx, client.ObjectKeyFromObject(obj), latest); err != nil {
			return nil, err
		}
		return latest.Object, nil
	}
	send := func(ctx context.Context, u *unstructured.Unstructured, data []byte) error {
		return h.client.Patch(ctx, u, client.RawPatch(types.MergePatchType, data))
	}
	return writer{build: build, read: read, send: send}, nil
}

// listChangedError reports a list, other than the finalizers, that both
// the reconcile and another writer changed since the snapshot. It wraps a
// Conflict status error, so apierrors.IsConflict reports true, and is not
// retried: only a new reconcile can decide the list.
type listChangedError struct{ err error }

func (e *listChangedError) Error() string { return e.err.Error() }
func (e *listChangedError) Unwrap() error { return e.err }

func (h *Helper) listChanged(obj client.Object, path string) error {
	gr := schema.GroupResource{Resource: "objects"}
	if gvk, err := h.client.GroupVersionKindFor(obj); err == nil {
		gr = schema.GroupResource{Group: gvk.Group, Resource: strings.ToLower(gvk.Kind)}
		if m, err := h.client.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
			gr = m.Resource.GroupResource()
		}
	}
	return &listChangedError{err: apierrors.NewConflict(gr, obj.GetName(),
		fmt.Errorf("%s was changed by another writer since the snapshot", path))}
}

// newUnstructured returns an empty object of obj's kind with obj's name.
func (h *Helper) newUnstructured(obj client.Object) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" {
		var err error
		if gvk, err = h.client.GroupVersionKindFor(obj); err != nil {
			return nil, err
		}
	}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(obj.GetNamespace())
	u.SetName(obj.GetName())
	return u, nil
}

// lock makes body an optimistic-lock write against theirs.
func lock(body, theirs map[string]any) {
	rv, _, _ := unstructured.NestedString(theirs, "metadata", "resourceVersion")
	if rv == "" {
		return
	}
	md, _ := body["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		body["metadata"] = md
	}
	md["resourceVersion"] = rv
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

// fromMap replaces obj's content with a copy of m.
func fromMap(m map[string]any, obj client.Object) error {
	if u, ok := obj.(runtime.Unstructured); ok {
		u.SetUnstructuredContent(runtime.DeepCopyJSON(m))
		return nil
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, obj); err != nil {
		return fmt.Errorf("convert from unstructured: %w", err)
	}
	return nil
}

// withoutStatus returns a shallow copy of m without status and without
// the metadata fields the metadata and spec merge patch must not carry:
// resourceVersion, managedFields, and the finalizers, which are merged as
// a set.
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
			if k != "resourceVersion" && k != "managedFields" && k != "finalizers" {
				cp[k] = v
			}
		}
		out["metadata"] = cp
	}
	return out
}

// keepEmptyMaps gives ours an empty metadata map for each named field
// that base has and ours dropped, so the merge patch deletes the
// snapshot's keys one by one instead of the whole map (which would also
// delete keys another writer added).
func keepEmptyMaps(base, ours map[string]any, fields ...string) {
	bmd, _ := base["metadata"].(map[string]any)
	omd, _ := ours["metadata"].(map[string]any)
	if bmd == nil || omd == nil {
		return
	}
	for _, f := range fields {
		if _, had := bmd[f].(map[string]any); !had {
			continue
		}
		if _, has := omd[f].(map[string]any); !has {
			omd[f] = map[string]any{}
		}
	}
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

// decodePatch returns a fresh map of a patch from [mergePatch].
func decodePatch(data []byte) (map[string]any, error) {
	body := map[string]any{}
	if data == nil {
		return body, nil
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, fmt.Errorf("decode patch: %w", err)
	}
	return body, nil
}
