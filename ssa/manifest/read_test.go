package manifest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/sluice-dev/sluice/ssa/manifest"
)

func names(objs []*unstructured.Unstructured) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		s := o.GetKind() + "/" + o.GetName()
		if o.GetNamespace() != "" {
			s = o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
		}
		out = append(out, s)
	}
	return out
}

func TestReadYAMLAndJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "yaml documents with empty and comment-only ones",
			in: `---
# leading comment only
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: ns
data:
  script: |
    ---
    not a separator: indented
---

---   # a separator with a comment
apiVersion: v1
kind: Namespace
metadata: {name: ns}
...
`,
			want: []string{"ConfigMap/ns/a", "Namespace/ns"},
		},
		{
			name: "json stream of concatenated values",
			in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}`,
			want: []string{"ConfigMap/a", "ConfigMap/b"},
		},
		{
			name: "json and yaml mixed",
			in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
---
{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}
`,
			want: []string{"ConfigMap/a", "ConfigMap/b", "ConfigMap/c"},
		},
		{
			name: "v1 List expanded",
			in: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: ns}
---
apiVersion: v1
kind: List
`,
			want: []string{"ConfigMap/a", "Deployment/ns/web"},
		},
		{
			name: "document marker carrying content",
			in: `--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
--- !!map
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
`,
			want: []string{"ConfigMap/a", "ConfigMap/b"},
		},
		{
			name: "crlf and byte order mark",
			in:   "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: b\r\n",
			want: []string{"ConfigMap/a", "ConfigMap/b"},
		},
		{
			name: "same name in other kind, group or namespace is no duplicate",
			in: `apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: Secret
metadata: {name: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: other}
---
apiVersion: example.com/v1
kind: ConfigMap
metadata: {name: a}
`,
			want: []string{"ConfigMap/a", "Secret/a", "ConfigMap/other/a", "ConfigMap/a"},
		},
		{name: "empty input", in: "", want: []string{}},
		{name: "comments only", in: "# nothing\n---\n# here\n", want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			objs, err := manifest.Read(strings.NewReader(tc.in))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(names(objs)).To(Equal(tc.want))
		})
	}
}

func TestReadKeepsTypes(t *testing.T) {
	g := NewWithT(t)
	objs, err := manifest.Read(strings.NewReader(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  paused: false
  ratio: 0.5
`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(objs).To(HaveLen(1))
	replicas, found, err := unstructured.NestedInt64(objs[0].Object, "spec", "replicas")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(found).To(BeTrue())
	g.Expect(replicas).To(Equal(int64(3)))
	ratio, _, err := unstructured.NestedFloat64(objs[0].Object, "spec", "ratio")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ratio).To(Equal(0.5))
}

func TestReadErrors(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
	for _, tc := range []struct {
		name    string
		in      string
		want    error
		index   int
		line    int
		message string
	}{
		{
			name:  "yaml syntax error names its line",
			in:    cm + "---\n# comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n",
			want:  manifest.ErrMalformed,
			index: 2, line: 10,
		},
		{
			name:  "duplicate key",
			in:    "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 3,
		},
		{
			name:  "missing apiVersion",
			in:    cm + "---\n\nkind: ConfigMap\nmetadata: {name: b}\n",
			want:  manifest.ErrMissingField,
			index: 2, line: 7, message: "apiVersion",
		},
		{
			name:  "missing kind",
			in:    "apiVersion: v1\nmetadata: {name: b}\n",
			want:  manifest.ErrMissingField,
			index: 1, line: 1, message: "kind",
		},
		{
			name:  "empty kind",
			in:    "apiVersion: v1\nkind: ''\nmetadata: {name: b}\n",
			want:  manifest.ErrMissingField,
			index: 1, line: 1, message: "kind",
		},
		{
			name:  "missing metadata",
			in:    "apiVersion: v1\nkind: ConfigMap\n",
			want:  manifest.ErrMissingField,
			index: 1, line: 1, message: "metadata.name",
		},
		{
			name:  "missing name",
			in:    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n",
			want:  manifest.ErrMissingField,
			index: 1, line: 1, message: "metadata.name",
		},
		{
			name:  "duplicate names the first",
			in:    cm + "---\n" + cm,
			want:  manifest.ErrDuplicate,
			index: 2, line: 6, message: "ConfigMap/a already read from document 1 line 1",
		},
		{
			name:  "duplicate across api versions",
			in:    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---\napiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: a}\n",
			want:  manifest.ErrDuplicate,
			index: 2, line: 5,
		},
		{
			name:  "duplicate inside a list",
			in:    "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
			want:  manifest.ErrDuplicate,
			index: 1, line: 1, message: "items[1]",
		},
		{
			name:  "scalar document",
			in:    "just a string\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "document is a string",
		},
		{
			name:  "array document",
			in:    "- a\n- b\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "document is an array",
		},
		{
			name:  "name of the wrong type",
			in:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 3}\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "metadata.name is a number",
		},
		{
			name:  "namespace of the wrong type",
			in:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: [x]}\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "metadata.namespace is an array",
		},
		{
			name:  "metadata of the wrong type",
			in:    "apiVersion: v1\nkind: ConfigMap\nmetadata: a\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "metadata is a string",
		},
		{
			name:  "bad apiVersion",
			in:    "apiVersion: a/b/c\nkind: ConfigMap\nmetadata: {name: a}\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "apiVersion",
		},
		{
			name:  "list items not an array",
			in:    "apiVersion: v1\nkind: List\nitems: {}\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "items is an object",
		},
		{
			name:  "list item missing name",
			in:    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n",
			want:  manifest.ErrMissingField,
			index: 1, line: 1, message: "items[0]: missing required field: metadata.name",
		},
		{
			name:  "nested list",
			in:    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "a List inside a List",
		},
		{
			name:  "list item not an object",
			in:    "apiVersion: v1\nkind: List\nitems: [1]\n",
			want:  manifest.ErrMalformed,
			index: 1, line: 1, message: "item is a number",
		},
		{
			name:  "json stream value names its line",
			in:    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}\n\n  {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}\n",
			want:  manifest.ErrMissingField,
			index: 2, line: 3,
		},
		{
			name:  "broken json names its line",
			in:    "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"a\"\n",
			want:  manifest.ErrMalformed,
			index: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			objs, err := manifest.Read(strings.NewReader(tc.in))
			g.Expect(objs).To(BeNil())
			g.Expect(err).To(MatchError(tc.want))
			var de *manifest.DocumentError
			g.Expect(errors.As(err, &de)).To(BeTrue(), "%T %v", err, err)
			g.Expect(de.Source).To(BeEmpty())
			g.Expect(de.Index).To(Equal(tc.index), err.Error())
			if tc.line != 0 {
				g.Expect(de.Line).To(Equal(tc.line), err.Error())
			}
			g.Expect(err.Error()).To(HavePrefix("read manifest document "))
			g.Expect(err.Error()).To(ContainSubstring(tc.message))
		})
	}
}

func TestReadFS(t *testing.T) {
	g := NewWithT(t)
	cm := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n")}
	}
	fsys := fstest.MapFS{
		"app/b.yaml":          cm("b"),
		"app/a.yml":           cm("a"),
		"app/sub/c.json":      {Data: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`)},
		"app/README.md":       {Data: []byte("# not a manifest\n")},
		"app/.hidden.yaml":    cm("hidden"),
		"app/.git/x.yaml":     cm("git"),
		"app/single.txt":      cm("txt"),
		"app/sub/Z.YAML":      cm("z"),
		"other/unrelated.yml": cm("other"),
	}
	objs, err := manifest.ReadFS(fsys, "app")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(names(objs)).To(Equal([]string{"ConfigMap/a", "ConfigMap/b", "ConfigMap/z", "ConfigMap/c"}))

	objs, err = manifest.ReadFS(fsys, "app/single.txt")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(names(objs)).To(Equal([]string{"ConfigMap/txt"}))

	fsys["app/sub/dup.yaml"] = cm("a")
	_, err = manifest.ReadFS(fsys, "app")
	g.Expect(err).To(MatchError(manifest.ErrDuplicate))
	var de *manifest.DocumentError
	g.Expect(errors.As(err, &de)).To(BeTrue())
	g.Expect(de.Source).To(Equal("app/sub/dup.yaml"))
	g.Expect(err.Error()).To(ContainSubstring("read manifest app/sub/dup.yaml document 1 line 1: duplicate object: ConfigMap/a already read from app/a.yml document 1 line 1"))

	_, err = manifest.ReadFS(fsys, "missing")
	g.Expect(err).To(MatchError(os.ErrNotExist))
}

func TestReadDirAndFile(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.MkdirAll(filepath.Join(dir, "sub"), 0o755)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(dir, "ns.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n"), 0o600)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(dir, "sub", "bad.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"), 0o600)).To(Succeed())

	objs, err := manifest.ReadFile(filepath.Join(dir, "ns.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(names(objs)).To(Equal([]string{"Namespace/apps"}))

	_, err = manifest.ReadFile(filepath.Join(dir, "sub", "bad.yaml"))
	g.Expect(err).To(MatchError(manifest.ErrMissingField))
	var de *manifest.DocumentError
	g.Expect(errors.As(err, &de)).To(BeTrue())
	g.Expect(de.Source).To(Equal(filepath.Join(dir, "sub", "bad.yaml")))

	_, err = manifest.ReadDir(dir)
	g.Expect(err).To(MatchError(manifest.ErrMissingField))
	g.Expect(errors.As(err, &de)).To(BeTrue())
	g.Expect(de.Source).To(Equal("sub/bad.yaml"))

	g.Expect(os.Remove(filepath.Join(dir, "sub", "bad.yaml"))).To(Succeed())
	// A link leading out of the folder is refused.
	outside := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(outside, "x.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), 0o600)).To(Succeed())
	g.Expect(os.Symlink(filepath.Join(outside, "x.yaml"), filepath.Join(dir, "link.yaml"))).To(Succeed())
	_, err = manifest.ReadDir(dir)
	g.Expect(err).To(HaveOccurred())
	g.Expect(os.Remove(filepath.Join(dir, "link.yaml"))).To(Succeed())

	objs, err = manifest.ReadDir(dir)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(names(objs)).To(Equal([]string{"Namespace/apps"}))

	_, err = manifest.ReadFile(filepath.Join(dir, "absent.yaml"))
	g.Expect(err).To(MatchError(os.ErrNotExist))
	_, err = manifest.ReadDir(filepath.Join(dir, "absent"))
	g.Expect(err).To(MatchError(os.ErrNotExist))
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestReadReaderError(t *testing.T) {
	g := NewWithT(t)
	_, err := manifest.Read(failingReader{})
	g.Expect(err).To(MatchError(ContainSubstring("read manifest: boom")))
}

func FuzzRead(f *testing.F) {
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems: []\n")
	f.Add(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}{"apiVersion":"v1"}`)
	f.Add("--- {a: 1}\n---\n# c\n...\n")
	f.Add("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n")
	f.Add("a: &x [1]\nb: *x\n")
	f.Fuzz(func(t *testing.T, in string) {
		lines := strings.Count(in, "\n") + 1
		objs, err := manifest.Read(strings.NewReader(in))
		if err != nil {
			var de *manifest.DocumentError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DocumentError: %v", err, err)
			}
			if de.Index < 1 || de.Line < 1 || de.Line > lines {
				t.Fatalf("index %d line %d outside 1..%d: %v", de.Index, de.Line, lines, err)
			}
			if !errors.Is(err, manifest.ErrMalformed) && !errors.Is(err, manifest.ErrMissingField) && !errors.Is(err, manifest.ErrDuplicate) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, o := range objs {
			if o.GetAPIVersion() == "" || o.GetKind() == "" || o.GetName() == "" {
				t.Fatalf("object without apiVersion, kind or name: %v", o.Object)
			}
			k := o.GroupVersionKind().GroupKind().String() + "/" + o.GetNamespace() + "/" + o.GetName()
			if seen[k] {
				t.Fatalf("duplicate %s returned", k)
			}
			seen[k] = true
		}
	})
}
