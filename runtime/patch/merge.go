package patch

import (
	"encoding/json"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// conditionsOf returns status.conditions as a list of maps, skipping
// malformed entries.
func conditionsOf(status map[string]any) []map[string]any {
	list, _ := status["conditions"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if c, ok := item.(map[string]any); ok {
			out = append(out, c)
		}
	}
	return out
}

func condType(c map[string]any) string {
	t, _ := c["type"].(string)
	return t
}

func index(conds []map[string]any) map[string]map[string]any {
	m := make(map[string]map[string]any, len(conds))
	for _, c := range conds {
		m[condType(c)] = c
	}
	return m
}

// equalJSON compares two values by their JSON form, which ignores the
// differences between numbers decoded by different paths.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// mergeConditions merges three versions of a condition list: owned types
// take ours (keeping their lastTransitionTime when their status is the
// same as ours, as the condition did not transition); other types take
// theirs when theirs changed since base, and ours otherwise. The result
// keeps our order, followed by types only the server has.
func mergeConditions(base, ours, theirs []map[string]any, owned map[string]bool) []any {
	b, o, t := index(base), index(ours), index(theirs)
	pick := func(typ string) map[string]any {
		if owned[typ] {
			return keepTransitionTime(o[typ], t[typ])
		}
		if !equalJSON(t[typ], b[typ]) {
			return t[typ]
		}
		return o[typ]
	}
	out := []any{}
	seen := map[string]bool{}
	for _, list := range [][]map[string]any{ours, theirs} {
		for _, c := range list {
			typ := condType(c)
			if seen[typ] {
				continue
			}
			seen[typ] = true
			if p := pick(typ); p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func sameConditions(merged []any, theirs []map[string]any) bool {
	t := make([]any, len(theirs))
	for i, c := range theirs {
		t[i] = c
	}
	return equalJSON(merged, t)
}

// keepTransitionTime returns ours, with theirs' lastTransitionTime when
// both have the same status.
func keepTransitionTime(ours, theirs map[string]any) map[string]any {
	if ours == nil || theirs == nil || !equalJSON(ours["status"], theirs["status"]) {
		return ours
	}
	ltt, ok := theirs["lastTransitionTime"]
	if !ok || equalJSON(ours["lastTransitionTime"], ltt) {
		return ours
	}
	out := maps.Clone(ours)
	out["lastTransitionTime"] = ltt
	return out
}

// prune removes from a merge patch the changes theirs already holds: equal
// values, and deletions of keys theirs does not have. An object emptied by
// pruning goes too.
func prune(patch, theirs map[string]any) {
	for k, v := range patch {
		tv, has := theirs[k]
		switch pv := v.(type) {
		case map[string]any:
			if len(pv) == 0 {
				if has && tv != nil {
					delete(patch, k)
				}
				continue
			}
			tm, _ := tv.(map[string]any)
			if has && tm == nil && tv != nil {
				continue // a value of another type: the patch replaces it
			}
			prune(pv, tm)
			if len(pv) == 0 {
				delete(patch, k)
			}
		case nil:
			if !has || tv == nil {
				delete(patch, k)
			}
		default:
			if has && equalJSON(pv, tv) {
				delete(patch, k)
			}
		}
	}
}

// listPaths returns the paths of the lists in a merge patch, each of which
// replaces the whole list on the server.
func listPaths(patch map[string]any, prefix []string) [][]string {
	var out [][]string
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		path := append(slices.Clone(prefix), k)
		switch v := patch[k].(type) {
		case []any:
			out = append(out, path)
		case map[string]any:
			out = append(out, listPaths(v, path)...)
		}
	}
	return out
}

func finalizersOf(obj map[string]any) []string {
	f, _, _ := unstructured.NestedStringSlice(obj, "metadata", "finalizers")
	return f
}

// finalizerDelta returns the finalizers in after and not in before, and
// those in before and not in after.
func finalizerDelta(before, after []string) (added, removed []string) {
	for _, f := range after {
		if !slices.Contains(before, f) {
			added = append(added, f)
		}
	}
	for _, f := range before {
		if !slices.Contains(after, f) {
			removed = append(removed, f)
		}
	}
	return added, removed
}

// applyDelta returns list without removed and with added appended,
// keeping list's order.
func applyDelta(list, added, removed []string) []string {
	out := make([]string, 0, len(list)+len(added))
	for _, f := range list {
		if !slices.Contains(removed, f) {
			out = append(out, f)
		}
	}
	for _, f := range added {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
