package patch

import (
	"encoding/json"
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
// take ours; other types take theirs when theirs changed since base, and
// ours otherwise. The result keeps our order, followed by types only the
// server has.
func mergeConditions(base, ours, theirs []map[string]any, owned map[string]bool) []any {
	b, o, t := index(base), index(ours), index(theirs)
	pick := func(typ string) map[string]any {
		if owned[typ] {
			return o[typ]
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
