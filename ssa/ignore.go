package ssa

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

// ErrInvalidApplyOptions means ApplyOptions hold a malformed ignore rule.
var ErrInvalidApplyOptions = errors.New("invalid apply options")

// IgnoreRule names fields whose values belong to another controller, such
// as spec.replicas under a HorizontalPodAutoscaler. For an object that
// exists, the manager never overwrites those fields (it sends their live
// values, or leaves them out when the live object lacks them) and never
// reports them as drift. An object being created gets them from the
// desired object.
type IgnoreRule struct {
	// Paths are JSON pointers (RFC 6901) into the object, such as
	// "/spec/replicas" or "/spec/template/spec/containers/0/resources".
	// Required.
	Paths []string
	// Selector picks the objects the rule covers. Default: every object.
	Selector Selector
}

// Selector picks objects by id and labels. Each empty field matches
// everything.
type Selector struct {
	// Group is the API group ("" matches every group, core included).
	Group string
	// Kind is the object kind.
	Kind string
	// Name is the object name.
	Name string
	// Namespace is the object namespace.
	Namespace string
	// LabelSelector is a label selector in the form kubectl takes, such as
	// "app=web,tier!=cache".
	LabelSelector string
}

// compiledRule is an IgnoreRule with parsed paths and selector.
type compiledRule struct {
	paths    [][]string
	selector Selector
	labels   labels.Selector
}

func compileRules(rules []IgnoreRule) ([]compiledRule, error) {
	out := make([]compiledRule, 0, len(rules))
	for i, r := range rules {
		if len(r.Paths) == 0 {
			return nil, fmt.Errorf("%w: ignore rule %d has no paths", ErrInvalidApplyOptions, i)
		}
		cr := compiledRule{selector: r.Selector}
		for _, p := range r.Paths {
			tokens, err := parsePointer(p)
			if err != nil {
				return nil, fmt.Errorf("%w: ignore rule %d: %w", ErrInvalidApplyOptions, i, err)
			}
			cr.paths = append(cr.paths, tokens)
		}
		if r.Selector.LabelSelector != "" {
			sel, err := labels.Parse(r.Selector.LabelSelector)
			if err != nil {
				return nil, fmt.Errorf("%w: ignore rule %d: label selector: %w", ErrInvalidApplyOptions, i, err)
			}
			cr.labels = sel
		}
		out = append(out, cr)
	}
	return out, nil
}

// parsePointer splits a JSON pointer into unescaped tokens.
func parsePointer(p string) ([]string, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("json pointer %q: want a path starting with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, t := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// matches reports whether the rule covers obj.
func (r compiledRule) matches(obj *unstructured.Unstructured) bool {
	s := r.selector
	gvk := obj.GroupVersionKind()
	switch {
	case s.Group != "" && s.Group != gvk.Group,
		s.Kind != "" && s.Kind != gvk.Kind,
		s.Name != "" && s.Name != obj.GetName(),
		s.Namespace != "" && s.Namespace != obj.GetNamespace():
		return false
	}
	return r.labels == nil || r.labels.Matches(labels.Set(obj.GetLabels()))
}

// ignoredPaths returns the paths of every rule that covers obj.
func ignoredPaths(rules []compiledRule, obj *unstructured.Unstructured) [][]string {
	var paths [][]string
	for _, r := range rules {
		if r.matches(obj) {
			paths = append(paths, r.paths...)
		}
	}
	return paths
}

// lookup returns the value at path in doc.
func lookup(doc any, path []string) (any, bool) {
	cur := doc
	for _, tok := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// remove deletes the value at path from doc, reporting whether it was
// there. A list element is removed by shifting the rest down.
func remove(doc map[string]any, path []string) bool {
	if len(path) == 0 {
		return false
	}
	parent, ok := lookup(doc, path[:len(path)-1])
	if !ok {
		return false
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		if _, ok := p[last]; !ok {
			return false
		}
		delete(p, last)
		return true
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return false
		}
		return setAt(doc, path[:len(path)-1], append(p[:i:i], p[i+1:]...))
	default:
		return false
	}
}

// setAt sets the value at path in doc when its parent exists.
func setAt(doc map[string]any, path []string, v any) bool {
	if len(path) == 0 {
		return false
	}
	parent, ok := lookup(doc, path[:len(path)-1])
	if !ok {
		return false
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
		return true
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return false
		}
		p[i] = v
		return true
	default:
		return false
	}
}

// isIgnored reports whether path is one of paths or lies under one.
func isIgnored(paths [][]string, path []string) bool {
	for _, p := range paths {
		if len(p) <= len(path) && equalTokens(p, path[:len(p)]) {
			return true
		}
	}
	return false
}

func equalTokens(a, b []string) bool {
	return slices.Equal(a, b)
}
