package ssa

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// maskedValue replaces Secret values in a diff.
const maskedValue = "***"

// DiffOp says how a field differs.
type DiffOp string

// The kinds of difference.
const (
	// DiffAdd is a field the apply would add.
	DiffAdd DiffOp = "add"
	// DiffRemove is a field the apply would remove.
	DiffRemove DiffOp = "remove"
	// DiffReplace is a field whose value the apply would change.
	DiffReplace DiffOp = "replace"
)

// DiffEntry is one field that differs between the live object and the
// object an apply would make.
type DiffEntry struct {
	// Path is a JSON pointer (RFC 6901) to the field; "" is the whole
	// object.
	Path string `json:"path"`
	// Op says how the field differs.
	Op DiffOp `json:"op"`
	// Old is the live value; absent for DiffAdd. Secret data is masked.
	Old any `json:"old,omitempty"`
	// New is the value after the apply; absent for DiffRemove. Secret data
	// is masked.
	New any `json:"new,omitempty"`
}

// Diff is what an apply of one object would change.
type Diff struct {
	// ID names the object.
	ID ObjectID `json:"-"`
	// Action is what the apply would do: Created, Configured, Unchanged or
	// Skipped.
	Action Action `json:"-"`
	// Entries are the differing fields, sorted by path; for Created, one
	// DiffAdd of the whole object. The values of a Secret's data and
	// stringData read "***".
	Entries []DiffEntry `json:"entries"`
}

// MarshalJSON writes the diff as {"id": ..., "action": ..., "entries": [...]}.
func (d Diff) MarshalJSON() ([]byte, error) {
	entries := d.Entries
	if entries == nil {
		entries = []DiffEntry{}
	}
	return json.Marshal(struct {
		ID      string      `json:"id"`
		Action  string      `json:"action"`
		Entries []DiffEntry `json:"entries"`
	}{d.ID.Display(), d.Action.String(), entries})
}

// Diff tells what applying obj with opts would change, without changing
// anything: it reads the live object and sends a server-side dry-run apply,
// then compares the two, leaving out metadata the server maintains
// (managedFields, resourceVersion, generation), the hash annotation and
// the ignored fields. Secret data is masked. It returns an error wrapping
// [ErrInvalidObject] or [ErrInvalidApplyOptions] for bad input, and the
// apiserver's errors naming the object.
func (m *ResourceManager) Diff(ctx context.Context, obj *unstructured.Unstructured, opts ApplyOptions) (Diff, error) {
	rules, err := compileRules(opts.IgnoreRules)
	if err != nil {
		return Diff{}, fmt.Errorf("diff: %w", err)
	}
	items, err := m.prepare([]*unstructured.Unstructured{obj})
	if err != nil {
		return Diff{}, err
	}
	it := items[0]
	d := it.desired
	out := Diff{ID: it.id}
	namespaced, err := m.client.IsObjectNamespaced(d)
	if err != nil {
		return Diff{}, fmt.Errorf("diff %s: find resource: %w", it.id.Display(), err)
	}
	if !namespaced {
		d.SetNamespace("")
	}
	live, err := m.get(ctx, d)
	if err != nil {
		return Diff{}, fmt.Errorf("diff %s: %w", it.id.Display(), err)
	}
	reconcileKey := m.owner.ReconcileKey()
	if setting(d.GetAnnotations(), d.GetLabels(), reconcileKey) == ReconcileDisabled ||
		live != nil && setting(live.GetAnnotations(), live.GetLabels(), reconcileKey) == ReconcileDisabled ||
		live != nil && setting(d.GetAnnotations(), d.GetLabels(), m.owner.ApplyPolicyKey()) == IfNotPresent {
		out.Action = Skipped
		return out, nil
	}
	secret := it.id.Group == "" && it.id.Kind == "Secret"
	if live == nil {
		out.Action = Created
		whole := runtime.DeepCopyJSON(d.Object)
		if secret {
			maskSecret(whole)
		}
		out.Entries = []DiffEntry{{Path: "", Op: DiffAdd, New: whole}}
		return out, nil
	}
	ignored := ignoredPaths(rules, d)
	intent, _, err := m.intentOf(d, ignored)
	if err != nil {
		return Diff{}, fmt.Errorf("diff %s: %w", it.id.Display(), err)
	}
	dry, err := m.serverApply(ctx, payloadFor(intent, d, live, ignored), true)
	if err != nil {
		return Diff{}, fmt.Errorf("diff %s: dry-run apply: %w", it.id.Display(), err)
	}
	before, after := diffable(live.Object, m.owner.HashAnnotation()), diffable(dry.Object, m.owner.HashAnnotation())
	var entries []DiffEntry
	compareValues("", before, after, &entries)
	kept := entries[:0]
	for _, e := range entries {
		tokens, _ := parsePointer(e.Path)
		if e.Path != "" && isIgnored(ignored, tokens) {
			continue
		}
		if secret && len(tokens) > 0 && (tokens[0] == "data" || tokens[0] == "stringData") {
			if e.Old != nil {
				e.Old = maskedValue
			}
			if e.New != nil {
				e.New = maskedValue
			}
		}
		kept = append(kept, e)
	}
	out.Entries = kept
	if len(kept) == 0 {
		out.Action = Unchanged
		out.Entries = nil
	} else {
		out.Action = Configured
	}
	return out, nil
}

// diffable returns a copy of obj without the fields a diff leaves out.
func diffable(obj map[string]any, hashKey string) map[string]any {
	c := runtime.DeepCopyJSON(obj)
	if meta, ok := c["metadata"].(map[string]any); ok {
		delete(meta, "managedFields")
		delete(meta, "resourceVersion")
		delete(meta, "generation")
		if ann, ok := meta["annotations"].(map[string]any); ok {
			delete(ann, hashKey)
			if len(ann) == 0 {
				delete(meta, "annotations")
			}
		}
	}
	return c
}

// maskSecret replaces the values of a Secret's data and stringData.
func maskSecret(obj map[string]any) {
	for _, f := range []string{"data", "stringData"} {
		if m, ok := obj[f].(map[string]any); ok {
			for k := range m {
				m[k] = maskedValue
			}
		}
	}
}

// compareValues appends the differences between a and b under path.
func compareValues(path string, a, b any, out *[]DiffEntry) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(av)+len(bv))
		for k := range av {
			keys = append(keys, k)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "/" + escapePointer(k)
			x, inA := av[k]
			y, inB := bv[k]
			switch {
			case !inA:
				*out = append(*out, DiffEntry{Path: p, Op: DiffAdd, New: y})
			case !inB:
				*out = append(*out, DiffEntry{Path: p, Op: DiffRemove, Old: x})
			default:
				compareValues(p, x, y, out)
			}
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		for i := range av {
			compareValues(path+"/"+strconv.Itoa(i), av[i], bv[i], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, DiffEntry{Path: path, Op: DiffReplace, Old: a, New: b})
	}
}
