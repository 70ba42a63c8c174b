package applier

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzBuildManifests builds hostile kustomizations and manifests: the build
// must fail cleanly or return objects, never panic or read outside the
// artifact.
func FuzzBuildManifests(f *testing.F) {
	f.Add("resources:\n  - cm.yaml\n", cmA)
	f.Add("resources:\n  - ../../etc/passwd\n", cmA)
	f.Add("namePrefix: p-\nresources: [cm.yaml]\npatches:\n- patch: '[{\"op\":\"remove\",\"path\":\"/x\"}]'\n  target: {kind: ConfigMap}\n", cmA)
	f.Add("configMapGenerator:\n- name: g\n  files: [/etc/hostname]\n", "")
	f.Add("", "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}]\n")
	f.Fuzz(func(t *testing.T, kustomization, resource string) {
		root := t.TempDir()
		dir := filepath.Join(root, "app")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cm.yaml"), []byte(resource), 0o600); err != nil {
			t.Fatal(err)
		}
		if kustomization != "" {
			if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		objs, err := buildManifests(root, "app")
		if err != nil {
			return
		}
		for _, o := range objs {
			if o.GetName() == "" || o.GetKind() == "" {
				t.Fatalf("object without name or kind: %v", o.Object)
			}
		}
	})
}
