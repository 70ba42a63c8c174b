package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// yamlLine finds the line a YAML parser error names, relative to the
// document it was given.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// Read reads every object of the YAML or JSON stream r: YAML documents
// separated by "---" lines, and concatenated JSON values. Errors are a
// *DocumentError with an empty Source, or the error of r.
func Read(r io.Reader) ([]*unstructured.Unstructured, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	rd := newReader()
	if err := rd.read("", data); err != nil {
		return nil, err
	}
	return rd.objs, nil
}

// ReadFile reads every object of the file name. Errors are a
// *DocumentError whose Source is name, or the error of opening or reading
// the file.
func ReadFile(name string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(name) // #nosec G304 -- the caller names the file to read
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	rd := newReader()
	if err := rd.read(name, data); err != nil {
		return nil, err
	}
	return rd.objs, nil
}

// ReadFS reads every object of the files under root in fsys, descending
// into sub-folders, in lexical order of path. Only files named *.yaml,
// *.yml or *.json are read, and files and folders whose names start with
// "." are skipped. root may name a single file, which is then read
// whatever its name. Duplicates are detected across all files. Errors are a
// *DocumentError whose Source is the file's path in fsys, or the error of
// walking or reading fsys.
func ReadFS(fsys fs.FS, root string) ([]*unstructured.Unstructured, error) {
	rd := newReader()
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || (name != root && !isManifestFile(name)) {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		return rd.read(name, data)
	})
	if err != nil {
		var de *DocumentError
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("read manifest %s: %w", root, err)
	}
	return rd.objs, nil
}

// ReadDir reads every object of the files under the folder dir as ReadFS
// does. Symbolic links that lead out of dir are refused.
func ReadDir(dir string) ([]*unstructured.Unstructured, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer root.Close() //nolint:errcheck // read-only
	return ReadFS(root.FS(), ".")
}

func isManifestFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// objectKey is an object's identity: API versions do not count.
type objectKey struct{ group, kind, namespace, name string }

// origin says where an object was read.
type origin struct {
	source      string
	index, line int
}

func (o origin) String() string {
	s := "document " + strconv.Itoa(o.index) + " line " + strconv.Itoa(o.line)
	if o.source != "" {
		s = o.source + " " + s
	}
	return s
}

// reader collects the objects of one or more sources.
type reader struct {
	objs []*unstructured.Unstructured
	seen map[objectKey]origin
}

func newReader() *reader { return &reader{seen: map[objectKey]origin{}} }

// source is one input being split into documents.
type source struct {
	name       string
	data       []byte
	lineStarts []int // byte offset of the start of each line
	index      int   // documents read so far
}

// lineOf returns the 1-based line holding byte offset off.
func (s *source) lineOf(off int) int {
	return sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off })
}

// read splits data into documents at "---" lines and reads each.
func (rd *reader) read(name string, data []byte) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	src := &source{name: name, data: data, lineStarts: []int{0}}
	for i, b := range data {
		if b == '\n' && i+1 < len(data) {
			src.lineStarts = append(src.lineStarts, i+1)
		}
	}
	start := 0
	for _, ls := range src.lineStarts {
		end := bytes.IndexByte(data[ls:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += ls
		}
		isSep, content := separator(data[ls:end])
		if !isSep {
			continue
		}
		if err := rd.document(src, start, ls); err != nil {
			return err
		}
		if content {
			// "--- value": the marker line begins the next document.
			start = ls
		} else {
			start = min(end+1, len(data))
		}
	}
	return rd.document(src, start, len(data))
}

// separator reports whether line separates documents, and whether it also
// carries content of the next document.
func separator(line []byte) (isSep, content bool) {
	line = bytes.TrimRight(line, "\r")
	if !bytes.HasPrefix(line, []byte("---")) {
		return false, false
	}
	rest := line[3:]
	if len(rest) == 0 {
		return true, false
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		return false, false
	}
	rest = bytes.TrimSpace(rest)
	return true, len(rest) > 0 && rest[0] != '#'
}

// document reads data[start:end] of src, one YAML document or a run of
// JSON values.
func (rd *reader) document(src *source, start, end int) error {
	chunk := src.data[start:end]
	first := firstContent(chunk)
	if first < 0 {
		return nil // blank or comments only
	}
	if chunk[first] == '{' {
		if values, offsets, ok := jsonValues(chunk); ok {
			for i, v := range values {
				src.index++
				if err := rd.value(src, v, src.lineOf(start+offsets[i])); err != nil {
					return err
				}
			}
			return nil
		}
	}
	line := src.lineOf(start + first)
	js, err := yaml.YAMLToJSONStrict(chunk)
	if err != nil {
		errLine := line
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			if n, convErr := strconv.Atoi(m[1]); convErr == nil && n >= 1 {
				// Parsers may name the line after the last one at the end
				// of input; stay within the document.
				errLine = min(src.lineOf(start)+n-1, src.lineOf(max(start, end-1)))
			}
		}
		src.index++
		return &DocumentError{Source: src.name, Index: src.index, Line: errLine,
			Err: fmt.Errorf("%w: %s", ErrMalformed, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil // only comments, or an explicit null
	}
	src.index++
	return rd.value(src, js, line)
}

// firstContent returns the offset of the first byte of chunk that is
// neither blank nor in a comment line, or -1.
func firstContent(chunk []byte) int {
	off := 0
	for off < len(chunk) {
		end := bytes.IndexByte(chunk[off:], '\n')
		if end < 0 {
			end = len(chunk)
		} else {
			end += off
		}
		line := chunk[off:end]
		trimmed := bytes.TrimLeft(line, " \t\r")
		if len(trimmed) > 0 && trimmed[0] != '#' {
			return off + len(line) - len(trimmed)
		}
		off = end + 1
	}
	return -1
}

// jsonValues splits chunk into concatenated JSON values and the offset at
// which each starts; ok is false when chunk is not entirely JSON.
func jsonValues(chunk []byte) (values []json.RawMessage, offsets []int, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(chunk))
	for {
		off := int(dec.InputOffset())
		for off < len(chunk) && isJSONSpace(chunk[off]) {
			off++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return values, offsets, len(values) > 0
			}
			return nil, nil, false
		}
		values = append(values, raw)
		offsets = append(offsets, off)
	}
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// value turns one JSON document into objects.
func (rd *reader) value(src *source, js []byte, line int) error {
	at := origin{source: src.name, index: src.index, line: line}
	fail := func(err error) error {
		return &DocumentError{Source: src.name, Index: src.index, Line: line, Err: err}
	}
	var v any
	if err := utiljson.Unmarshal(js, &v); err != nil {
		return fail(fmt.Errorf("%w: %w", ErrMalformed, err))
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fail(fmt.Errorf("%w: document is %s, want an object", ErrMalformed, describe(v)))
	}
	gv, kind, err := typeOf(m)
	if err != nil {
		return fail(err)
	}
	if kind != "List" || gv != (schema.GroupVersion{Version: "v1"}) {
		return rd.object(m, gv, kind, at, fail)
	}
	rawItems, found := m["items"]
	if !found || rawItems == nil {
		return nil
	}
	items, ok := rawItems.([]any)
	if !ok {
		return fail(fmt.Errorf("%w: items is %s, want an array", ErrMalformed, describe(rawItems)))
	}
	for i, item := range items {
		itemFail := func(err error) error { return fail(fmt.Errorf("items[%d]: %w", i, err)) }
		im, ok := item.(map[string]any)
		if !ok {
			return itemFail(fmt.Errorf("%w: item is %s, want an object", ErrMalformed, describe(item)))
		}
		igv, ikind, err := typeOf(im)
		if err != nil {
			return itemFail(err)
		}
		if ikind == "List" && igv == (schema.GroupVersion{Version: "v1"}) {
			return itemFail(fmt.Errorf("%w: a List inside a List", ErrMalformed))
		}
		if err := rd.object(im, igv, ikind, at, itemFail); err != nil {
			return err
		}
	}
	return nil
}

// typeOf checks and returns the apiVersion and kind of m.
func typeOf(m map[string]any) (schema.GroupVersion, string, error) {
	apiVersion, err := stringField(m, "apiVersion", "apiVersion")
	if err != nil {
		return schema.GroupVersion{}, "", err
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return schema.GroupVersion{}, "", fmt.Errorf("%w: apiVersion %q: %w", ErrMalformed, apiVersion, err)
	}
	kind, err := stringField(m, "kind", "kind")
	if err != nil {
		return schema.GroupVersion{}, "", err
	}
	return gv, kind, nil
}

// object checks metadata and adds m unless an object with its identity was
// read before.
func (rd *reader) object(m map[string]any, gv schema.GroupVersion, kind string, at origin, fail func(error) error) error {
	rawMeta, found := m["metadata"]
	if !found || rawMeta == nil {
		return fail(fmt.Errorf("%w: metadata.name", ErrMissingField))
	}
	meta, ok := rawMeta.(map[string]any)
	if !ok {
		return fail(fmt.Errorf("%w: metadata is %s, want an object", ErrMalformed, describe(rawMeta)))
	}
	name, err := stringField(meta, "name", "metadata.name")
	if err != nil {
		return fail(err)
	}
	var namespace string
	if rawNS, found := meta["namespace"]; found && rawNS != nil {
		ns, ok := rawNS.(string)
		if !ok {
			return fail(fmt.Errorf("%w: metadata.namespace is %s, want a string", ErrMalformed, describe(rawNS)))
		}
		namespace = ns
	}
	key := objectKey{group: gv.Group, kind: kind, namespace: namespace, name: name}
	if prev, dup := rd.seen[key]; dup {
		return fail(fmt.Errorf("%w: %s already read from %s", ErrDuplicate, displayKey(key), prev))
	}
	rd.seen[key] = at
	rd.objs = append(rd.objs, &unstructured.Unstructured{Object: m})
	return nil
}

// stringField returns the non-empty string m[key]; path names it in
// errors.
func stringField(m map[string]any, key, path string) (string, error) {
	raw, found := m[key]
	if !found || raw == nil {
		return "", fmt.Errorf("%w: %s", ErrMissingField, path)
	}
	s, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s is %s, want a string", ErrMalformed, path, describe(raw))
	}
	if s == "" {
		return "", fmt.Errorf("%w: %s", ErrMissingField, path)
	}
	return s, nil
}

func displayKey(k objectKey) string {
	kind := k.kind
	if k.group != "" {
		kind += "." + k.group
	}
	if k.namespace == "" {
		return kind + "/" + k.name
	}
	return kind + "/" + k.namespace + "/" + k.name
}

// describe names the JSON type of v for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
