package applier

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/kustomize/api/krusty"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/sluice-dev/sluice/ssa/manifest"
)

// kustomizationFiles returns the names kustomize recognizes.
func kustomizationFiles() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

// errPathNotFound means spec.path names nothing in the artifact.
var errPathNotFound = errors.New("path not found in artifact")

// buildManifests reads the objects at rel, a slash-separated path within the
// extracted artifact root: a kustomize build when the folder holds a
// kustomization file, else every manifest file under it.
func buildManifests(root, rel string) ([]*unstructured.Unstructured, error) {
	rel = path.Clean("/" + rel) // stays within root whatever ".." it holds
	dir := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %q: %w", rel, errPathNotFound)
		}
		return nil, fmt.Errorf("read %q: %w", rel, err)
	}
	if !fi.IsDir() {
		return manifest.ReadFS(os.DirFS(root), rel[1:])
	}
	for _, name := range kustomizationFiles() {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return kustomize(root, rel)
		}
	}
	if rel == "/" {
		return manifest.ReadDir(dir)
	}
	return manifest.ReadFS(os.DirFS(root), rel[1:])
}

// kustomize builds the overlay at rel on an in-memory copy of the artifact,
// so that the overlay may refer to other folders of the artifact (a
// "../base") but never to files outside it. Plugins are disabled.
func kustomize(root, rel string) ([]*unstructured.Unstructured, error) {
	mem := filesys.MakeFsInMemory()
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		target := path.Join("/", filepath.ToSlash(r))
		info, err := os.Stat(p) // follows links; Extract keeps them inside root
		if err != nil {
			return err
		}
		if info.IsDir() {
			return mem.MkdirAll(target)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p) //nolint:gosec // p is under root, the extracted artifact
		if err != nil {
			return err
		}
		return mem.WriteFile(target, data)
	})
	if err != nil {
		return nil, fmt.Errorf("kustomize %q: copy artifact: %w", rel, err)
	}
	if err := checkLocal(mem, rel, map[string]bool{}); err != nil {
		return nil, fmt.Errorf("kustomize %q: %w", rel, err)
	}
	k := krusty.MakeKustomizer(&krusty.Options{
		LoadRestrictions: kustypes.LoadRestrictionsNone,
		PluginConfig:     kustypes.DisabledPluginConfig(),
	})
	rm, err := k.Run(mem, rel)
	if err != nil {
		return nil, fmt.Errorf("kustomize %q: %w", rel, err)
	}
	out, err := rm.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize %q: %w", rel, err)
	}
	objs, err := manifest.Read(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("kustomize %q: %w", rel, err)
	}
	return objs, nil
}

// setNamespaces puts every namespaced object in target, when set, and a
// namespaced object without namespace in fallback; cluster-scoped objects
// lose any namespace. Scopes come from the CRDs of the set, else from
// mapper.
func setNamespaces(objs []*unstructured.Unstructured, mapper apimeta.RESTMapper, target, fallback string) error {
	crdScopes := map[schema.GroupKind]bool{}
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() != (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		crdScopes[schema.GroupKind{Group: group, Kind: kind}] = scope == "Namespaced"
	}
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		namespaced, ok := crdScopes[gvk.GroupKind()]
		if !ok {
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				return fmt.Errorf("map %s %q: %w", gvk, o.GetName(), err)
			}
			namespaced = m.Scope.Name() == apimeta.RESTScopeNameNamespace
		}
		switch {
		case !namespaced:
			o.SetNamespace("")
		case target != "":
			o.SetNamespace(target)
		case o.GetNamespace() == "":
			o.SetNamespace(fallback)
		}
	}
	return nil
}

// errRemoteResource means a kustomization refers to something outside the
// artifact: a URL, or a resource that the artifact does not hold (which
// kustomize would try to clone as a remote Git repository).
var errRemoteResource = errors.New("remote resources are not allowed")

// checkLocal refuses, before kustomize runs, the kustomization at dir of
// mem and those it includes when they hold a URL anywhere or name a
// resource, base or component the artifact lacks: kustomize would fetch
// those over the network on the controller's behalf.
func checkLocal(mem filesys.FileSystem, dir string, seen map[string]bool) error {
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	var data []byte
	for _, name := range kustomizationFiles() {
		p := path.Join(dir, name)
		if mem.Exists(p) && !mem.IsDir(p) {
			b, err := mem.ReadFile(p)
			if err != nil {
				return err
			}
			data = b
			break
		}
	}
	if data == nil {
		return nil
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("read kustomization in %q: %w", dir, err)
	}
	if u := findURL(doc); u != "" {
		return fmt.Errorf("kustomization in %q refers to %q: %w", dir, u, errRemoteResource)
	}
	for _, field := range []string{"resources", "bases", "components"} {
		list, _ := doc[field].([]any)
		for _, item := range list {
			ref, ok := item.(string)
			if !ok {
				continue
			}
			target := path.Join(dir, ref)
			if !mem.Exists(target) {
				return fmt.Errorf("kustomization in %q refers to %q, which the artifact does not hold: %w", dir, ref, errRemoteResource)
			}
			if mem.IsDir(target) {
				if err := checkLocal(mem, target, seen); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// inlineField reports whether a kustomization key holds data, never loaded
// from anywhere, so a URL there (an annotation, a literal) is fine.
func inlineField(key string) bool {
	switch key {
	case "commonAnnotations", "commonLabels", "labels", "images", "metadata", "patch", "literals", "options", "replicas":
		return true
	}
	return false
}

// findURL returns the first string of v that holds a URL scheme, outside
// the inline fields.
func findURL(v any) string {
	switch t := v.(type) {
	case string:
		if strings.Contains(t, "://") {
			return t
		}
	case []any:
		for _, e := range t {
			if u := findURL(e); u != "" {
				return u
			}
		}
	case map[string]any:
		for k, e := range t {
			if inlineField(k) {
				continue
			}
			if u := findURL(e); u != "" {
				return u
			}
		}
	}
	return ""
}
