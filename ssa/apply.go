package ssa

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultApplyWaitTimeout bounds the waits inside an apply when
// ApplyOptions.WaitTimeout is zero.
const DefaultApplyWaitTimeout = time.Minute

// applyPollInterval is how often the manager looks at an object it waits for
// inside an apply (a CRD becoming Established, a recreated object going
// away).
const applyPollInterval = 100 * time.Millisecond

// ApplyOptions configure one [ResourceManager.Apply] or
// [ResourceManager.ApplyAll] call. The zero value applies every object
// without recreating any and without ignore rules.
type ApplyOptions struct {
	// Force lets the manager delete and recreate an object whose change
	// the apiserver rejects because it touches an immutable field. Default
	// false: such an object fails with an *ImmutableFieldError, unless it
	// carries the force setting ([ForceKeySuffix]).
	Force bool

	// IgnoreRules name fields whose values belong to other controllers;
	// see [IgnoreRule]. Default none.
	IgnoreRules []IgnoreRule

	// WaitTimeout bounds each wait inside the apply: for the CRDs of the
	// set to become Established, and for an object being recreated to be
	// gone. Default [DefaultApplyWaitTimeout].
	WaitTimeout time.Duration
}

// item is one object through an apply.
type item struct {
	id         ObjectID
	desired    *unstructured.Unstructured // normalized
	live       *unstructured.Unstructured // nil when absent
	result     *unstructured.Unstructured // the object after the apply
	namespaced bool
	action     Action
	err        error
}

// Apply applies one object; see [ResourceManager.ApplyAll]. It returns
// the object's Change, and the errors ApplyAll documents.
func (m *ResourceManager) Apply(ctx context.Context, obj *unstructured.Unstructured, opts ApplyOptions) (Change, error) {
	cs, err := m.ApplyAll(ctx, []*unstructured.Unstructured{obj}, opts)
	if err != nil {
		return Change{}, err
	}
	return cs.Entries[0], nil
}

// ApplyAll applies objs with server-side apply and returns what happened
// to each, in apply order ([SortByApplyOrder]).
//
// Every apply uses the owner's field manager and forces conflicts: the
// manager is the source of truth for the fields it applies and takes them
// from any other manager (use ignore rules for fields that belong to
// others). Objects get the owner labels ([Owner.Labels]) and the hash
// annotation ([HashAnnotationSuffix]); kubectl's last-applied annotation is
// removed and the fields of kubectl's client-side apply and of the
// configured foreign managers ([WithTakeOverManagers]) are taken over.
//
// The set is applied in two stages: first the definitions
// ([IsDefinition]: CRDs, Namespaces, ClusterRoles, *Class kinds), after
// which ApplyAll waits for the CRDs to be Established, so that a set
// holding a CRD and its custom resources applies in one call; then
// everything else. The objects of a stage are applied concurrently, at
// most as many at once as [WithConcurrency] allows.
//
// ApplyAll reads the live objects of a stage with one List per kind and
// namespace (with the owner-label selector when the owner has labels), or
// a Get for a kind and namespace with one object, and then decides, per
// object and without a request, whether the apply would change anything:
// an object is Unchanged when its hash annotation matches the desired
// configuration and the managedFields entry of the owner's field manager
// holds exactly the desired fields. A default set by the server is not
// drift; a field another manager changed or removed, or a field the
// manager no longer sets, is, and is applied. When it cannot decide it
// applies, and reports Unchanged when the apply left the resourceVersion
// as it was.
//
// Objects excluded by the reconcile setting ([ReconcileKeySuffix]), and
// existing objects with the IfNotPresent apply policy
// ([ApplyPolicyKeySuffix]), are reported Skipped. An object recreated
// after an immutable-field rejection is reported Created.
//
// ApplyAll returns an error wrapping [ErrInvalidObject] for a set with a
// malformed or duplicate object and [ErrInvalidApplyOptions] for bad
// ignore rules, before any request. Otherwise it applies what it can of a
// stage and returns the changes made with the joined errors of the objects
// that failed, each an *ImmutableFieldError or an error naming the object
// and wrapping the apiserver's error; the next stage is not started.
func (m *ResourceManager) ApplyAll(ctx context.Context, objs []*unstructured.Unstructured, opts ApplyOptions) (ChangeSet, error) {
	rules, err := compileRules(opts.IgnoreRules)
	if err != nil {
		return ChangeSet{}, fmt.Errorf("apply: %w", err)
	}
	if opts.WaitTimeout <= 0 {
		opts.WaitTimeout = DefaultApplyWaitTimeout
	}
	items, err := m.prepare(objs)
	if err != nil {
		return ChangeSet{}, err
	}
	var defs, rest []*item
	for _, it := range items {
		if IsDefinition(it.desired) {
			defs = append(defs, it)
		} else {
			rest = append(rest, it)
		}
	}
	var cs ChangeSet
	for _, stage := range [][]*item{defs, rest} {
		if len(stage) == 0 {
			continue
		}
		m.applyStage(ctx, stage, rules, opts)
		var errs []error
		for _, it := range stage {
			if it.err != nil {
				errs = append(errs, it.err)
				continue
			}
			cs.Add(Change{ID: it.id, Action: it.action})
		}
		if len(errs) > 0 {
			return cs, errors.Join(errs...)
		}
		if err := m.settleDefinitions(ctx, stage, opts.WaitTimeout); err != nil {
			return cs, err
		}
	}
	return cs, nil
}

// prepare validates and normalizes objs and sorts them into apply order.
func (m *ResourceManager) prepare(objs []*unstructured.Unstructured) ([]*item, error) {
	sorted := make([]*unstructured.Unstructured, 0, len(objs))
	seen := make(map[ObjectID]bool, len(objs))
	for i, obj := range objs {
		if obj == nil {
			return nil, fmt.Errorf("apply: %w: object %d is nil", ErrInvalidObject, i)
		}
		if obj.GetAPIVersion() == "" || obj.GetKind() == "" || obj.GetName() == "" {
			return nil, fmt.Errorf("apply: %w: object %d (%s) lacks apiVersion, kind or name", ErrInvalidObject, i, IDOf(obj).Display())
		}
		if _, err := schema.ParseGroupVersion(obj.GetAPIVersion()); err != nil {
			return nil, fmt.Errorf("apply: %w: object %d: %w", ErrInvalidObject, i, err)
		}
		id := IDOf(obj)
		if seen[id] {
			return nil, fmt.Errorf("apply: %w: %s appears twice", ErrInvalidObject, id.Display())
		}
		seen[id] = true
		sorted = append(sorted, normalize(obj, m.owner))
	}
	SortByApplyOrder(sorted)
	items := make([]*item, len(sorted))
	for i, obj := range sorted {
		items[i] = &item{id: IDOf(obj), desired: obj}
	}
	return items, nil
}

// groupKey names the objects one List reads.
type groupKey struct {
	gvk       schema.GroupVersionKind
	namespace string
}

// applyStage applies the items of one stage, recording in each its action
// or error.
func (m *ResourceManager) applyStage(ctx context.Context, stage []*item, rules []compiledRule, opts ApplyOptions) {
	groups := map[groupKey][]*item{}
	var keys []groupKey
	for _, it := range stage {
		namespaced, err := m.client.IsObjectNamespaced(it.desired)
		if err != nil {
			it.err = fmt.Errorf("apply %s: find resource: %w", it.id.Display(), err)
			continue
		}
		it.namespaced = namespaced
		if namespaced && it.desired.GetNamespace() == "" {
			it.err = fmt.Errorf("apply %s: %w: namespaced object without namespace", it.id.Display(), ErrInvalidObject)
			continue
		}
		if !namespaced && it.desired.GetNamespace() != "" {
			it.desired.SetNamespace("")
		}
		k := groupKey{gvk: it.desired.GroupVersionKind(), namespace: it.desired.GetNamespace()}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], it)
	}
	m.forEach(len(keys), func(i int) {
		group := groups[keys[i]]
		if err := m.readLive(ctx, keys[i], group); err != nil {
			for _, it := range group {
				it.err = fmt.Errorf("apply %s: read live object: %w", it.id.Display(), err)
			}
		}
	})
	var todo []*item
	for _, it := range stage {
		if it.err == nil {
			todo = append(todo, it)
		}
	}
	m.forEach(len(todo), func(i int) {
		it := todo[i]
		it.action, it.err = m.applyOne(ctx, it, rules, opts)
	})
}

// forEach runs fn for 0..n-1 with at most the configured concurrency.
func (m *ResourceManager) forEach(n int, fn func(i int)) {
	sem := make(chan struct{}, m.opts.concurrency)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

// readLive fills the live object of each item of a group: one Get for a
// single object; otherwise one List (label-selected when the owner has
// labels), then a Get or an unselected List for objects the selected List
// did not return, which may exist without our labels.
func (m *ResourceManager) readLive(ctx context.Context, key groupKey, group []*item) error {
	if len(group) == 1 {
		live, err := m.get(ctx, group[0].desired)
		if err != nil {
			return err
		}
		group[0].live = live
		return nil
	}
	ownerLabels := m.owner.Labels()
	found, err := m.list(ctx, key, ownerLabels)
	if err != nil {
		return err
	}
	var misses []*item
	for _, it := range group {
		if live, ok := found[it.desired.GetName()]; ok {
			it.live = live
		} else {
			misses = append(misses, it)
		}
	}
	if ownerLabels == nil || len(misses) == 0 {
		return nil
	}
	if len(misses) <= 2 {
		for _, it := range misses {
			if it.live, err = m.get(ctx, it.desired); err != nil {
				return err
			}
		}
		return nil
	}
	all, err := m.list(ctx, key, nil)
	if err != nil {
		return err
	}
	for _, it := range misses {
		it.live = all[it.desired.GetName()]
	}
	return nil
}

// get returns the live object named like obj, or nil when absent.
func (m *ResourceManager) get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(obj.GroupVersionKind())
	err := m.client.Get(ctx, client.ObjectKeyFromObject(obj), live)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return live, nil
}

// list returns the objects of a group by name.
func (m *ResourceManager) list(ctx context.Context, key groupKey, sel map[string]string) (map[string]*unstructured.Unstructured, error) {
	ul := &unstructured.UnstructuredList{}
	ul.SetGroupVersionKind(key.gvk.GroupVersion().WithKind(key.gvk.Kind + "List"))
	var opts []client.ListOption
	if key.namespace != "" {
		opts = append(opts, client.InNamespace(key.namespace))
	}
	if sel != nil {
		opts = append(opts, client.MatchingLabels(sel))
	}
	if err := m.client.List(ctx, ul, opts...); err != nil {
		return nil, err
	}
	out := make(map[string]*unstructured.Unstructured, len(ul.Items))
	for i := range ul.Items {
		obj := &ul.Items[i]
		obj.SetGroupVersionKind(key.gvk)
		out[obj.GetName()] = obj
	}
	return out, nil
}

// applyOne decides and performs the apply of one object.
func (m *ResourceManager) applyOne(ctx context.Context, it *item, rules []compiledRule, opts ApplyOptions) (Action, error) {
	d, live := it.desired, it.live
	reconcileKey := m.owner.ReconcileKey()
	if setting(d.GetAnnotations(), d.GetLabels(), reconcileKey) == ReconcileDisabled ||
		live != nil && setting(live.GetAnnotations(), live.GetLabels(), reconcileKey) == ReconcileDisabled {
		it.result = live
		return Skipped, nil
	}
	if live != nil && setting(d.GetAnnotations(), d.GetLabels(), m.owner.ApplyPolicyKey()) == IfNotPresent {
		it.result = live
		return Skipped, nil
	}

	hashKey := m.owner.HashAnnotation()
	ignored := ignoredPaths(rules, d)
	intent, hash, err := m.intentOf(d, ignored)
	if err != nil {
		return Unknown, fmt.Errorf("apply %s: %w", it.id.Display(), err)
	}

	if live == nil {
		payload := d.DeepCopy()
		setAnnotation(payload, hashKey, hash)
		if it.result, err = m.serverApply(ctx, payload, false); err != nil {
			return Unknown, fmt.Errorf("apply %s: %w", it.id.Display(), err)
		}
		return Created, nil
	}

	patch, err := hygienePatch(live, d.GetAPIVersion(), m.owner.Field, m.opts.takeOver)
	if err != nil {
		return Unknown, fmt.Errorf("apply %s: %w", it.id.Display(), err)
	}
	if patch == nil && live.GetAnnotations()[hashKey] == hash && ownsExactly(live, intent, m.owner.Field, ignored) {
		it.result = live
		return Unchanged, nil
	}
	if patch != nil {
		if err := m.client.Patch(ctx, live, client.RawPatch(types.JSONPatchType, patch)); err != nil {
			return Unknown, fmt.Errorf("apply %s: take over managed fields: %w", it.id.Display(), err)
		}
	}

	it.result, err = m.serverApply(ctx, payloadFor(intent, d, live, ignored), false)
	if err != nil {
		fields := immutableFields(err)
		if fields == nil {
			return Unknown, fmt.Errorf("apply %s: %w", it.id.Display(), err)
		}
		if !opts.Force && setting(d.GetAnnotations(), d.GetLabels(), m.owner.ForceKey()) != ForceEnabled {
			return Unknown, &ImmutableFieldError{ID: it.id, Fields: fields, Err: err}
		}
		return m.recreate(ctx, it, hash, opts.WaitTimeout)
	}
	if patch == nil && it.result.GetResourceVersion() == live.GetResourceVersion() {
		return Unchanged, nil
	}
	return Configured, nil
}

// intentOf returns the desired object d without the ignored paths,
// carrying its digest in the hash annotation, and the digest.
func (m *ResourceManager) intentOf(d *unstructured.Unstructured, ignored [][]string) (*unstructured.Unstructured, string, error) {
	hashKey := m.owner.HashAnnotation()
	intent := d.DeepCopy()
	for _, p := range ignored {
		remove(intent.Object, p)
	}
	hash, err := digest(intent, hashKey)
	if err != nil {
		return nil, "", fmt.Errorf("digest: %w", err)
	}
	setAnnotation(intent, hashKey, hash)
	return intent, hash, nil
}

// payloadFor returns what to apply over live: intent, with the live value
// of each ignored path the desired object d sets, so that the apply keeps
// the value another controller gave it.
func payloadFor(intent, d, live *unstructured.Unstructured, ignored [][]string) *unstructured.Unstructured {
	payload := intent.DeepCopy()
	for _, p := range ignored {
		if _, inDesired := lookup(d.Object, p); !inDesired {
			continue
		}
		if v, inLive := lookup(live.Object, p); inLive {
			setAt(payload.Object, p, runtime.DeepCopyJSONValue(v))
		}
	}
	return payload
}

// recreate deletes the live object of it, waits until it is gone and
// creates it again from the desired object.
func (m *ResourceManager) recreate(ctx context.Context, it *item, hash string, timeout time.Duration) (Action, error) {
	live := it.live
	uid := live.GetUID()
	err := m.client.Delete(ctx, live, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	if err != nil && !apierrors.IsNotFound(err) {
		return Unknown, fmt.Errorf("apply %s: recreate: delete: %w", it.id.Display(), err)
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pollUntil(wctx, func() (bool, error) {
		cur, err := m.get(wctx, live)
		return cur == nil || cur.GetUID() != uid, err
	}); err != nil {
		return Unknown, fmt.Errorf("apply %s: recreate: wait for deletion: %w", it.id.Display(), err)
	}
	payload := it.desired.DeepCopy()
	setAnnotation(payload, m.owner.HashAnnotation(), hash)
	if it.result, err = m.serverApply(ctx, payload, false); err != nil {
		return Unknown, fmt.Errorf("apply %s: recreate: %w", it.id.Display(), err)
	}
	return Created, nil
}

// serverApply sends obj as a server-side apply with the owner's field
// manager, forcing conflicts, and returns the object the server returned.
func (m *ResourceManager) serverApply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	out := obj.DeepCopy()
	opts := []client.ApplyOption{client.FieldOwner(m.owner.Field), client.ForceOwnership}
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	if err := m.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(out), opts...); err != nil {
		return nil, err
	}
	return out, nil
}

// pollUntil calls done every applyPollInterval until it reports true, fails, or ctx
// ends.
func pollUntil(ctx context.Context, done func() (bool, error)) error {
	tick := time.NewTicker(applyPollInterval)
	defer tick.Stop()
	for {
		ok, err := done()
		if err != nil && ctx.Err() == nil {
			return err
		}
		if ok && err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
		}
	}
}

// settleDefinitions waits for the CRDs of a stage to be Established and,
// when one was created or changed, resets the client's RESTMapper when it
// can be reset and waits until it maps every version the changed CRDs
// serve: the API server publishes a new version in discovery a moment
// after the CRD is Established, and the next stage (or the next call)
// must find it.
func (m *ResourceManager) settleDefinitions(ctx context.Context, stage []*item, timeout time.Duration) error {
	var changed []*item
	for _, it := range stage {
		if it.id.Group != "apiextensions.k8s.io" || it.id.Kind != "CustomResourceDefinition" || it.action == Skipped {
			continue
		}
		if it.action != Unchanged {
			changed = append(changed, it)
		}
		if err := m.waitEstablished(ctx, it, timeout); err != nil {
			return err
		}
	}
	if len(changed) == 0 {
		return nil
	}
	mapper := m.client.RESTMapper()
	resettable, _ := mapper.(meta.ResettableRESTMapper)
	if resettable != nil {
		resettable.Reset()
	}
	for _, it := range changed {
		if err := m.waitServed(ctx, it, mapper, resettable, timeout); err != nil {
			return err
		}
	}
	return nil
}

// waitServed waits until mapper maps the kind of the CRD of it in every
// version the CRD serves, resetting a resettable mapper between tries.
func (m *ResourceManager) waitServed(ctx context.Context, it *item, mapper meta.RESTMapper, resettable meta.ResettableRESTMapper, timeout time.Duration) error {
	group, _, _ := unstructured.NestedString(it.desired.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(it.desired.Object, "spec", "names", "kind")
	versions, _, _ := unstructured.NestedSlice(it.desired.Object, "spec", "versions")
	var served []string
	for _, v := range versions {
		vm, ok := v.(map[string]any)
		if !ok {
			continue
		}
		name, _ := vm["name"].(string)
		if on, _ := vm["served"].(bool); on && name != "" {
			served = append(served, name)
		}
	}
	if group == "" || kind == "" || len(served) == 0 {
		return nil
	}
	gk := schema.GroupKind{Group: group, Kind: kind}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A version not yet in discovery shows as a NoKindMatch error or as
	// a failed discovery of the group version; both pass, so every
	// error is retried until the timeout and the last one is reported.
	first := true
	var last error
	err := pollUntil(wctx, func() (bool, error) {
		if !first && resettable != nil {
			resettable.Reset()
		}
		first = false
		for _, v := range served {
			if _, err := mapper.RESTMapping(gk, v); err != nil {
				last = err
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("apply %s: wait for versions %v of %s to be served: %w", it.id.Display(), served, gk, errors.Join(err, last))
	}
	return nil
}

// errCRDNotAccepted means a CRD's names were not accepted.
var errCRDNotAccepted = errors.New("names not accepted")

// waitEstablished waits until the CRD of it has the condition Established,
// starting from the object the apply returned.
func (m *ResourceManager) waitEstablished(ctx context.Context, it *item, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cur := it.result
	err := pollUntil(wctx, func() (bool, error) {
		if cur != nil {
			if crdCondition(cur, "NamesAccepted") == metav1.ConditionFalse {
				return false, errCRDNotAccepted
			}
			if crdCondition(cur, "Established") == metav1.ConditionTrue {
				return true, nil
			}
		}
		var err error
		cur, err = m.get(wctx, it.desired)
		if err == nil && cur != nil && crdCondition(cur, "Established") == metav1.ConditionTrue {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		return fmt.Errorf("apply %s: wait for established: %w", it.id.Display(), err)
	}
	return nil
}

// crdCondition returns the status of the condition of type t of a CRD.
func crdCondition(obj *unstructured.Unstructured, t string) metav1.ConditionStatus {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == t {
			s, _ := m["status"].(string)
			return metav1.ConditionStatus(s)
		}
	}
	return metav1.ConditionUnknown
}
