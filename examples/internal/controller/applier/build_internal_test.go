package applier

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/ssa/manifest"
	"github.com/sluice-dev/sluice/version"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const cmA = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"

func names(objs []*unstructured.Unstructured) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	return out
}

func TestBuildManifests(t *testing.T) {
	root := writeTree(t, map[string]string{
		"apps/a.yaml":                  cmA,
		"apps/nested/b.yml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
		"apps/.hidden/c.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"other/d.yaml":                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n",
		"bad/broken.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
		"kbad/kustomization.yaml":      "resources:\n  - missing.yaml\n",
		"escape/kustomization.yaml":    "resources:\n  - ../../../../../../etc/hostname\n",
		"remote/kustomization.yaml":    "resources:\n  - https://raw.example.invalid/cm.yaml\n",
		"remotegit/kustomization.yaml": "resources:\n  - github.com/example/repo//deploy?ref=main\n",
		"annotated/kustomization.yaml": "resources: [cm.yaml]\ncommonAnnotations:\n  docs: https://docs.example.invalid\n",
		"annotated/cm.yaml":            cmA,
		"generator/kustomization.yaml": "configMapGenerator:\n  - name: g\n    files: [http://169.254.169.254/latest]\n",
	})
	tests := []struct {
		name    string
		path    string
		want    []string
		wantErr error
	}{
		{name: "folder recursively, hidden skipped", path: "apps", want: []string{"a", "b"}},
		{name: "root reads kustomization files as manifests", path: "", wantErr: manifest.ErrMissingField},
		{name: "single file", path: "./apps/a.yaml", want: []string{"a"}},
		{name: "kustomize with a URL as data", path: "annotated", want: []string{"a"}},
		{name: "dot-dot stays inside", path: "../../apps", want: []string{"a", "b"}},
		{name: "missing", path: "nope", wantErr: errPathNotFound},
		{name: "malformed", path: "bad", wantErr: manifest.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			objs, err := buildManifests(root, tt.path)
			if tt.wantErr != nil {
				g.Expect(err).To(MatchError(tt.wantErr))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(names(objs)).To(ConsistOf(tt.want))
		})
	}

	t.Run("kustomize missing resource", func(t *testing.T) {
		_, err := buildManifests(root, "kbad")
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring("missing.yaml")))
	})
	for _, dir := range []string{"escape", "remote", "remotegit", "generator"} {
		t.Run("kustomize refuses "+dir, func(t *testing.T) {
			_, err := buildManifests(root, dir)
			NewWithT(t).Expect(err).To(MatchError(errRemoteResource))
		})
	}
	t.Run("kustomize overlay", func(t *testing.T) {
		g := NewWithT(t)
		objs, err := buildManifests("testdata/kustomize", "overlays/prod")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(names(objs)).To(Equal([]string{"prod-app"}))
		g.Expect(objs[0].GetLabels()).To(HaveKeyWithValue("env", "prod"))
	})
}

func TestSetNamespaces(t *testing.T) {
	mapper := apimeta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, apimeta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, apimeta.RESTScopeRoot)
	read := func(t *testing.T, y string) []*unstructured.Unstructured {
		t.Helper()
		objs, err := manifest.Read(bytes.NewBufferString(y))
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	const set = `apiVersion: v1
kind: ConfigMap
metadata: {name: plain}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: placed, namespace: elsewhere}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns, namespace: bogus}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: bogus}
`
	crd := schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
	mapper.Add(crd, apimeta.RESTScopeRoot)

	t.Run("fallback", func(t *testing.T) {
		g := NewWithT(t)
		objs := read(t, set)
		g.Expect(setNamespaces(objs, mapper, "", "home")).To(Succeed())
		got := map[string]string{}
		for _, o := range objs {
			got[o.GetName()] = o.GetNamespace()
		}
		g.Expect(got).To(Equal(map[string]string{"plain": "home", "placed": "elsewhere", "ns": "", "widgets.example.com": "", "w": ""}))
	})
	t.Run("target", func(t *testing.T) {
		g := NewWithT(t)
		objs := read(t, set)
		g.Expect(setNamespaces(objs, mapper, "target", "home")).To(Succeed())
		g.Expect(objs[0].GetNamespace()).To(Equal("target"))
		g.Expect(objs[1].GetNamespace()).To(Equal("target"))
	})
	t.Run("unknown kind", func(t *testing.T) {
		g := NewWithT(t)
		objs := read(t, "apiVersion: example.org/v1\nkind: Gadget\nmetadata: {name: x}\n")
		err := setNamespaces(objs, mapper, "", "home")
		g.Expect(apimeta.IsNoMatchError(errors.Unwrap(err))).To(BeTrue(), "%v", err)
	})
}

func TestFetchArtifact(t *testing.T) {
	var buf bytes.Buffer
	sum, err := archive.Build(t.Context(), writeTree(t, map[string]string{"a.yaml": cmA}), &buf, archive.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/a.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(buf.Bytes())
	}))
	defer srv.Close()
	good := sum.Digest.String()
	wrong := "sha256:" + string(bytes.Repeat([]byte("0"), 64))

	t.Run("ok", func(t *testing.T) {
		g := NewWithT(t)
		dir := filepath.Join(t.TempDir(), "x")
		g.Expect(storage.Fetch(t.Context(), srv.Client(), meta.Artifact{URL: srv.URL + "/a.tar.gz", Digest: good}, dir)).To(Succeed())
		g.Expect(filepath.Join(dir, "a.yaml")).To(BeARegularFile())
	})
	t.Run("digest mismatch leaves nothing", func(t *testing.T) {
		g := NewWithT(t)
		dir := filepath.Join(t.TempDir(), "x")
		err := storage.Fetch(t.Context(), srv.Client(), meta.Artifact{URL: srv.URL + "/a.tar.gz", Digest: wrong}, dir)
		g.Expect(isDigestMismatch(err)).To(BeTrue(), "%v", err)
		g.Expect(err).To(MatchError(version.ErrDigestMismatch))
		g.Expect(dir).NotTo(BeADirectory())
	})
	t.Run("not found", func(t *testing.T) {
		g := NewWithT(t)
		err := storage.Fetch(t.Context(), srv.Client(), meta.Artifact{URL: srv.URL + "/missing?token=secret", Digest: good}, filepath.Join(t.TempDir(), "x"))
		g.Expect(err).To(MatchError(ContainSubstring("404")))
		g.Expect(err.Error()).NotTo(ContainSubstring("secret"))
		g.Expect(isDigestMismatch(err)).To(BeFalse())
	})
	t.Run("unreachable", func(t *testing.T) {
		g := NewWithT(t)
		err := storage.Fetch(t.Context(), srv.Client(), meta.Artifact{URL: "http://user:pw@127.0.0.1:1/a.tar.gz", Digest: good}, filepath.Join(t.TempDir(), "x"))
		g.Expect(err).To(HaveOccurred())
		g.Expect(err.Error()).NotTo(ContainSubstring("pw"))
	})
}
