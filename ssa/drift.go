package ssa

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hashPrefix starts every value of the hash annotation, naming the digest.
const hashPrefix = "sha256:"

// normalize returns a copy of desired ready to apply for owner: server-set
// metadata dropped, an empty status dropped, kubectl's last-applied
// annotation dropped and the owner labels stamped.
func normalize(desired *unstructured.Unstructured, owner Owner) *unstructured.Unstructured {
	obj := desired.DeepCopy()
	meta, _ := obj.Object["metadata"].(map[string]any)
	for _, f := range []string{"creationTimestamp", "resourceVersion", "uid", "selfLink", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds"} {
		delete(meta, f)
	}
	if st, ok := obj.Object["status"].(map[string]any); ok && len(st) == 0 {
		delete(obj.Object, "status")
	}
	if ann := obj.GetAnnotations(); ann != nil {
		if _, ok := ann[LastAppliedAnnotation]; ok {
			delete(ann, LastAppliedAnnotation)
			obj.SetAnnotations(ann)
		}
	}
	if ol := owner.Labels(); ol != nil {
		l := obj.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		for k, v := range ol {
			l[k] = v
		}
		obj.SetLabels(l)
	}
	return obj
}

// digest returns the hash annotation value for intent: a SHA-256 of its
// canonical JSON with the hash annotation itself left out.
func digest(intent *unstructured.Unstructured, hashKey string) (string, error) {
	obj := intent
	if _, ok := intent.GetAnnotations()[hashKey]; ok {
		obj = intent.DeepCopy()
		ann := obj.GetAnnotations()
		delete(ann, hashKey)
		obj.SetAnnotations(ann)
	}
	// encoding/json writes map keys sorted, so equal objects give equal
	// bytes.
	b, err := json.Marshal(obj.Object)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hashPrefix + hex.EncodeToString(sum[:]), nil
}

// setAnnotation sets one annotation on obj.
func setAnnotation(obj *unstructured.Unstructured, key, value string) {
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[key] = value
	obj.SetAnnotations(ann)
}

// managerEntry returns the managedFields entry of an Apply by manager on
// the main resource, or nil.
func managerEntry(obj *unstructured.Unstructured, manager string) *metav1.ManagedFieldsEntry {
	for _, e := range obj.GetManagedFields() {
		if e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			return &e
		}
	}
	return nil
}

// ownsExactly reports whether the field set manager owns in live, as
// recorded in live's managedFields, is exactly the set of fields intent
// holds, leaving out the ignored paths. It answers false whenever it cannot
// be sure (an unknown field-set form, a null value, ambiguous list keys),
// so that the caller applies instead.
//
// With the applied-configuration digest in live equal to intent's, a true
// answer proves that applying intent changes nothing: every field we set
// was set by our last apply to the value in intent and has not been
// changed or removed since (an update or a forced apply by another manager
// takes the field from our set, and removing a field removes it from every
// set), and we own no field intent no longer holds.
func ownsExactly(live, intent *unstructured.Unstructured, manager string, ignored [][]string) bool {
	entry := managerEntry(live, manager)
	if entry == nil || entry.APIVersion != intent.GetAPIVersion() || entry.FieldsV1 == nil || entry.FieldsType != "FieldsV1" {
		return false
	}
	var set map[string]any
	if err := json.Unmarshal(entry.FieldsV1.GetRawBytes(), &set); err != nil {
		return false
	}
	doc := make(map[string]any, len(intent.Object))
	for k, v := range intent.Object {
		if k == "apiVersion" || k == "kind" {
			continue
		}
		doc[k] = v
	}
	if meta, ok := doc["metadata"].(map[string]any); ok {
		m := make(map[string]any, len(meta))
		for k, v := range meta {
			if k == "name" || k == "namespace" {
				continue
			}
			m[k] = v
		}
		if len(m) == 0 {
			delete(doc, "metadata")
		} else {
			doc["metadata"] = m
		}
	}
	return matchMap(set, doc, nil, ignored)
}

// children returns the members of a field-set node other than ".", the
// marker of the node itself.
func children(node map[string]any) int {
	n := len(node)
	if _, ok := node["."]; ok {
		n--
	}
	return n
}

// matchMap matches a field-set node against an object value.
func matchMap(set map[string]any, doc map[string]any, path []string, ignored [][]string) bool {
	for k, v := range doc {
		p := appendPath(path, k)
		if isIgnored(ignored, p) {
			continue
		}
		child, ok := set["f:"+k].(map[string]any)
		if !ok || !matchValue(child, v, p, ignored) {
			return false
		}
	}
	for k := range set {
		if k == "." {
			continue
		}
		name, ok := strings.CutPrefix(k, "f:")
		if !ok {
			return false
		}
		if _, inDoc := doc[name]; inDoc {
			continue // checked above, or ignored
		}
		if !isIgnored(ignored, appendPath(path, name)) {
			return false // we own a field intent no longer sets
		}
	}
	return true
}

// matchValue matches a field-set node against any value.
func matchValue(node map[string]any, v any, path []string, ignored [][]string) bool {
	switch val := v.(type) {
	case nil:
		return false
	case map[string]any:
		if children(node) == 0 {
			// An empty map, or an atomic one (such as a label selector)
			// that we own whole; the digest vouches for its value.
			return true
		}
		return matchMap(node, val, path, ignored)
	case []any:
		return matchList(node, val, path, ignored)
	default:
		return children(node) == 0
	}
}

// matchList matches a field-set node against a list. A node without
// members is an atomic list, owned whole. Otherwise each element must match
// exactly one member: "k:" by key fields (a key field the element lacks was
// defaulted by the server), "v:" by value, "i:" by index.
func matchList(node map[string]any, list []any, path []string, ignored [][]string) bool {
	if children(node) == 0 {
		return true
	}
	used := map[string]bool{}
	for i, el := range list {
		p := appendPath(path, strconv.Itoa(i))
		if isIgnored(ignored, p) {
			return false // ignoring whole elements is not supported here
		}
		key := ""
		for k := range node {
			if !elementMatches(k, i, el) {
				continue
			}
			if key != "" {
				return false // ambiguous
			}
			key = k
		}
		if key == "" || used[key] {
			return false
		}
		used[key] = true
		child, _ := node[key].(map[string]any)
		switch e := el.(type) {
		case map[string]any:
			if !matchMap(child, e, p, ignored) {
				return false
			}
		case []any, nil:
			return false
		default:
			if children(child) != 0 {
				return false
			}
		}
	}
	return len(used) == children(node)
}

// elementMatches reports whether the field-set member k names list element
// el at index i.
func elementMatches(k string, i int, el any) bool {
	switch {
	case strings.HasPrefix(k, "i:"):
		return k == "i:"+strconv.Itoa(i)
	case strings.HasPrefix(k, "v:"):
		want, err := canonicalJSON([]byte(k[2:]))
		if err != nil {
			return false
		}
		got, err := json.Marshal(el)
		return err == nil && bytes.Equal(want, got)
	case strings.HasPrefix(k, "k:"):
		m, ok := el.(map[string]any)
		if !ok {
			return false
		}
		dec := json.NewDecoder(strings.NewReader(k[2:]))
		dec.UseNumber()
		var keys map[string]any
		if err := dec.Decode(&keys); err != nil {
			return false
		}
		for f, kv := range keys {
			ev, present := m[f]
			if !present {
				continue // defaulted by the server
			}
			a, err1 := json.Marshal(kv)
			b, err2 := json.Marshal(ev)
			if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// canonicalJSON re-encodes a JSON value so it compares with json.Marshal
// output.
func canonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func appendPath(path []string, tok string) []string {
	p := make([]string, len(path)+1)
	copy(p, path)
	p[len(path)] = tok
	return p
}
