package ssa

import (
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// hygienePatch returns a JSON patch that prepares live for an apply of an
// object of apiVersion by manager, or nil when live needs nothing:
//
//   - entries of the takeover managers on the main resource (kubectl's
//     client-side apply and the configured foreign managers), whatever
//     their operation, are merged into manager's Apply entry, so the next
//     apply owns their fields and removes those it no longer sets;
//   - manager's entries recorded for another version of the same API
//     group are moved to apiVersion, so that an apply after a CRD version
//     bump does not fail with "field not declared in schema";
//   - kubectl's last-applied annotation is removed.
//
// The patch replaces resourceVersion too, so it fails with a conflict when
// live changed since it was read.
func hygienePatch(live *unstructured.Unstructured, apiVersion, manager string, takeOver []string) ([]byte, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, fmt.Errorf("parse api version %q: %w", apiVersion, err)
	}
	foreign := map[string]bool{}
	for _, m := range takeOver {
		if m != manager {
			foreign[m] = true
		}
	}
	entries := live.GetManagedFields()
	var keep []metav1.ManagedFieldsEntry
	var merge []metav1.ManagedFieldsEntry
	changed := false
	for _, e := range entries {
		mine := e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == ""
		if (mine || foreign[e.Manager] && e.Subresource == "") && sameGroup(e.APIVersion, gv) {
			if !mine || e.APIVersion != apiVersion {
				changed = true
			}
			merge = append(merge, e)
			continue
		}
		keep = append(keep, e)
	}
	_, hasLastApplied := live.GetAnnotations()[LastAppliedAnnotation]
	if !changed && !hasLastApplied {
		return nil, nil
	}
	var ops []map[string]any
	if changed {
		union := &fieldpath.Set{}
		var newest metav1.ManagedFieldsEntry
		for i, e := range merge {
			if e.FieldsV1 != nil {
				s := &fieldpath.Set{}
				if err := s.FromJSON(strings.NewReader(e.FieldsV1.GetRawString())); err != nil {
					return nil, fmt.Errorf("decode managed fields of %q: %w", e.Manager, err)
				}
				union = union.Union(s)
			}
			if i == 0 || e.Time != nil && (newest.Time == nil || newest.Time.Before(e.Time)) {
				newest = e
			}
		}
		raw, err := union.ToJSON()
		if err != nil {
			return nil, fmt.Errorf("encode managed fields: %w", err)
		}
		merged := metav1.ManagedFieldsEntry{
			Manager:    manager,
			Operation:  metav1.ManagedFieldsOperationApply,
			APIVersion: apiVersion,
			Time:       newest.Time,
			FieldsType: "FieldsV1",
			FieldsV1:   metav1.NewFieldsV1(string(raw)),
		}
		keep = append([]metav1.ManagedFieldsEntry{merged}, keep...)
		ops = append(ops, map[string]any{"op": "replace", "path": "/metadata/managedFields", "value": keep})
	}
	if hasLastApplied {
		ops = append(ops, map[string]any{"op": "remove", "path": "/metadata/annotations/" + escapePointer(LastAppliedAnnotation)})
	}
	// "replace" rather than "test": a stale resourceVersion then fails in
	// storage with a conflict instead of as an invalid patch.
	ops = append(ops, map[string]any{"op": "replace", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()})
	return json.Marshal(ops)
}

// sameGroup reports whether apiVersion names a version of gv's group.
func sameGroup(apiVersion string, gv schema.GroupVersion) bool {
	other, err := schema.ParseGroupVersion(apiVersion)
	return err == nil && other.Group == gv.Group
}

// escapePointer escapes one JSON-pointer token.
func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}
