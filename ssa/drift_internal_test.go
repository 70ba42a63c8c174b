package ssa

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func withEntry(fields, apiVersion string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetManagedFields([]metav1.ManagedFieldsEntry{{
		Manager: "me", Operation: metav1.ManagedFieldsOperationApply, APIVersion: apiVersion,
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields),
	}})
	return u
}

func TestOwnsExactly(t *testing.T) {
	pod := func(spec map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": "p", "namespace": "n", "labels": map[string]any{"a": "b"}},
			"spec":     spec,
		}}
	}
	spec := map[string]any{
		"containers": []any{map[string]any{
			"name": "c", "image": "i",
			"ports": []any{map[string]any{"containerPort": int64(80)}},
			"args":  []any{"x", "y"},
		}},
		"finalizersLike": []any{"one", "two"},
	}
	const full = `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:name":{},"f:image":{},"f:args":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:finalizersLike":{"v:\"one\"":{},"v:\"two\"":{}}}}`
	for _, tc := range []struct {
		name    string
		fields  string
		version string
		ignored [][]string
		want    bool
	}{
		{"exact, with a defaulted list key", full, "v1", nil, true},
		{"other api version", full, "v2", nil, false},
		{"a field we no longer own", `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:name":{},"f:args":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:finalizersLike":{"v:\"one\"":{},"v:\"two\"":{}}}}`, "v1", nil, false},
		{"a field we own but no longer set", `{"f:metadata":{"f:labels":{"f:a":{},"f:old":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:name":{},"f:image":{},"f:args":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:finalizersLike":{"v:\"one\"":{},"v:\"two\"":{}}}}`, "v1", nil, false},
		{"a set member gone", `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:name":{},"f:image":{},"f:args":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:finalizersLike":{"v:\"one\"":{}}}}`, "v1", nil, false},
		{"a keyed element with another key", `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"d\"}":{".":{},"f:name":{},"f:image":{},"f:args":{},"f:ports":{}}},"f:finalizersLike":{"v:\"one\"":{},"v:\"two\"":{}}}}`, "v1", nil, false},
		{"ignored field missing from the set", `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:finalizersLike":{"v:\"one\"":{},"v:\"two\"":{}}}}`, "v1", [][]string{{"spec", "containers"}}, true},
		{"not json", `{`, "v1", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			live := withEntry(tc.fields, tc.version)
			intent := pod(spec)
			for _, p := range tc.ignored {
				remove(intent.Object, p)
			}
			g.Expect(ownsExactly(live, intent, "me", tc.ignored)).To(Equal(tc.want))
		})
	}
	t.Run("null values are never trusted", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(ownsExactly(withEntry(`{"f:spec":{"f:x":{}}}`, "v1"),
			&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "spec": map[string]any{"x": nil}}}, "me", nil)).To(BeFalse())
	})
	t.Run("an atomic map is owned whole", func(t *testing.T) {
		g := NewWithT(t)
		intent := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"app": "x"}},
		}}}
		g.Expect(ownsExactly(withEntry(`{"f:spec":{"f:selector":{}}}`, "apps/v1"), intent, "me", nil)).To(BeTrue())
		g.Expect(ownsExactly(withEntry(`{"f:metadata":{}}`, "apps/v1"), intent, "me", nil)).To(BeFalse())
	})
	t.Run("no entry of ours", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(ownsExactly(withEntry(full, "v1"), pod(spec), "someone-else", nil)).To(BeFalse())
	})
}

func TestDigestIgnoresItsOwnAnnotation(t *testing.T) {
	g := NewWithT(t)
	a := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "v"}}}
	a.SetName("cfg")
	setAnnotation(a, "team", "x")
	b := a.DeepCopy()
	setAnnotation(b, "x/apply-hash", "sha256:old")
	ha, err := digest(a, "x/apply-hash")
	g.Expect(err).NotTo(HaveOccurred())
	hb, err := digest(b, "x/apply-hash")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ha).To(Equal(hb))
	b.Object["data"] = map[string]any{"k": "w"}
	hc, _ := digest(b, "x/apply-hash")
	g.Expect(hc).NotTo(Equal(ha))
}

func TestJSONPointerEdits(t *testing.T) {
	g := NewWithT(t)
	doc := map[string]any{"spec": map[string]any{"a/b": int64(1), "list": []any{"x", "y", "z"}}}
	p, err := parsePointer("/spec/a~1b")
	g.Expect(err).NotTo(HaveOccurred())
	v, ok := lookup(doc, p)
	g.Expect(ok).To(BeTrue())
	g.Expect(v).To(BeEquivalentTo(1))
	g.Expect(remove(doc, p)).To(BeTrue())
	g.Expect(remove(doc, p)).To(BeFalse())
	g.Expect(remove(doc, []string{"spec", "list", "1"})).To(BeTrue())
	g.Expect(doc["spec"].(map[string]any)["list"]).To(Equal([]any{"x", "z"}))
	g.Expect(setAt(doc, []string{"spec", "list", "0"}, "w")).To(BeTrue())
	g.Expect(setAt(doc, []string{"nope", "x"}, "w")).To(BeFalse())
	_, err = parsePointer("spec")
	g.Expect(err).To(HaveOccurred())
	g.Expect(isIgnored([][]string{{"spec", "replicas"}}, []string{"spec", "replicas"})).To(BeTrue())
	g.Expect(isIgnored([][]string{{"spec"}}, []string{"spec", "replicas"})).To(BeTrue())
	g.Expect(isIgnored([][]string{{"spec", "replicas"}}, []string{"spec"})).To(BeFalse())
}

func FuzzParsePointer(f *testing.F) {
	f.Add("/spec/replicas")
	f.Add("/a~1b/~0c/0")
	f.Fuzz(func(t *testing.T, s string) {
		tokens, err := parsePointer(s)
		if err != nil {
			return
		}
		out := ""
		for _, tok := range tokens {
			out += "/" + escapePointer(tok)
		}
		back, err := parsePointer(out)
		if err != nil || !equalTokens(back, tokens) {
			t.Fatalf("round trip of %q: %q -> %q", s, tokens, back)
		}
	})
}
