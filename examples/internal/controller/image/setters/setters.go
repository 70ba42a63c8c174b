package setters

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Marker is the key of a setter comment's JSON object.
const Marker = "$imagepolicy"

// plainValue matches the values written unquoted in place of a plain
// scalar: image names and tags, nothing YAML gives a meaning to.
var plainValue = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./@:+-]*$`)

// Field is the part of a policy's image that a marked field holds.
type Field int

const (
	// FieldImage is the whole reference, "name:tag". A setter without a
	// third part means it.
	FieldImage Field = iota
	// FieldName is the image name alone ("...:name").
	FieldName
	// FieldTag is the tag alone ("...:tag").
	FieldTag
)

// String returns "image", "name" or "tag".
func (f Field) String() string {
	switch f {
	case FieldImage:
		return "image"
	case FieldName:
		return "name"
	case FieldTag:
		return "tag"
	}
	return fmt.Sprintf("Field(%d)", int(f))
}

// Setter is a parsed setter comment.
type Setter struct {
	// Namespace of the ImagePolicy.
	Namespace string
	// Name of the ImagePolicy.
	Name string
	// Field is the part of the image the marked field holds. Default
	// FieldImage.
	Field Field
}

// String returns the setter as written in a comment: "namespace:name",
// followed by ":name" or ":tag" for those fields.
func (s Setter) String() string {
	out := s.Namespace + ":" + s.Name
	if s.Field != FieldImage {
		out += ":" + s.Field.String()
	}
	return out
}

// Image is what a policy resolves to.
type Image struct {
	// Name is the image name, such as "ghcr.io/org/app".
	Name string
	// Tag is the tag, such as "v1.2.3".
	Tag string
}

// value returns the part of i that f names, "" when i lacks it.
func (i Image) value(f Field) string {
	switch f {
	case FieldName:
		return i.Name
	case FieldTag:
		return i.Tag
	default:
		if i.Name == "" || i.Tag == "" {
			return ""
		}
		return i.Name + ":" + i.Tag
	}
}

// Change is one rewritten field.
type Change struct {
	// Line is the 1-based line of the field in the input.
	Line int
	// Setter is the setter comment of the field.
	Setter Setter
	// OldValue is the field's value before.
	OldValue string
	// NewValue is the field's value after.
	NewValue string
}

// Resolver returns the image the ImagePolicy namespace/name selects, and
// false when the policy is unknown or has selected nothing yet: its fields
// are then left alone.
type Resolver func(namespace, name string) (Image, bool)

// ParseComment reads a YAML line comment, with or without its leading '#'.
// It returns false and no error for a comment that is not a setter (it
// does not hold a JSON object naming Marker), and an error wrapping
// ErrInvalidSetter for one that names Marker but is malformed: not JSON,
// a value that is not a string, not "namespace:name" with an optional
// ":name" or ":tag", or blank parts.
func ParseComment(comment string) (Setter, bool, error) {
	c := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(comment), "#"))
	if !strings.HasPrefix(c, "{") || !strings.Contains(c, Marker) {
		return Setter{}, false, nil
	}
	invalid := func(reason string) (Setter, bool, error) {
		return Setter{}, false, fmt.Errorf("parse setter comment %q: %w: %s", c, ErrInvalidSetter, reason)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(c), &obj); err != nil {
		return invalid("not a JSON object")
	}
	raw, ok := obj[Marker]
	if !ok {
		return invalid("no " + strconv.Quote(Marker) + " key")
	}
	var ref string
	if err := json.Unmarshal(raw, &ref); err != nil {
		return invalid("the value is not a string")
	}
	parts := strings.Split(ref, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return invalid(`want "<namespace>:<name>" with an optional ":name" or ":tag"`)
	}
	s := Setter{Namespace: parts[0], Name: parts[1]}
	if !validName(s.Namespace) || !validName(s.Name) {
		return invalid("namespace and name must be non-empty Kubernetes names")
	}
	if len(parts) == 3 {
		switch parts[2] {
		case "name":
			s.Field = FieldName
		case "tag":
			s.Field = FieldTag
		default:
			return invalid(fmt.Sprintf("unknown field %q, want name or tag", parts[2]))
		}
	}
	return s, true, nil
}

// validName reports a plausible Kubernetes object name: lowercase
// letters, digits, '-' and '.', at most 253 bytes.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

// target is a marked scalar.
type target struct {
	node   *yaml.Node
	setter Setter
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// Apply rewrites the fields of src marked with setter comments to the
// images resolve returns, and lists the changes in the order of the
// input. Fields whose policy is unknown, whose value is already right or
// would not be valid UTF-8,
// whose setter comment is invalid, or which are not single-line scalars
// (block scalars, aliases, anchored or explicitly tagged values) are left
// alone. Input without Marker is returned as is without being parsed.
// With no change, the returned slice is src itself.
//
// It returns a *YAMLError (ErrInvalidYAML) when src is not YAML.
func Apply(src []byte, resolve Resolver) ([]byte, []Change, error) {
	if !bytes.Contains(src, []byte(Marker)) {
		return src, nil, nil
	}
	targets, err := findTargets(src)
	if err != nil {
		return nil, nil, err
	}
	lines := lineStarts(src)
	var (
		edits   []edit
		changes []Change
	)
	for _, t := range targets {
		img, ok := resolve(t.setter.Namespace, t.setter.Name)
		if !ok {
			continue
		}
		val := img.value(t.setter.Field)
		if val == "" || val == t.node.Value || !utf8.ValidString(val) {
			continue
		}
		start, end, ok := tokenSpan(src, lines, t.node)
		if !ok {
			continue
		}
		edits = append(edits, edit{start: start, end: end, text: render(t.node, val)})
		changes = append(changes, Change{Line: t.node.Line, Setter: t.setter, OldValue: t.node.Value, NewValue: val})
	}
	if len(edits) == 0 {
		return src, nil, nil
	}
	return splice(src, edits), changes, nil
}

// findTargets parses every document of src and returns its marked
// scalars.
func findTargets(src []byte) ([]target, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var out []target
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, &YAMLError{Err: err}
		}
		collect(&doc, &out)
	}
}

// collect appends the marked scalars under n to out.
func collect(n *yaml.Node, out *[]target) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				collect(val, out)
				continue
			}
			comment := val.LineComment
			if comment == "" && key.Line == val.Line {
				comment = key.LineComment
			}
			mark(val, comment, out)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind == yaml.ScalarNode {
				mark(item, item.LineComment, out)
				continue
			}
			collect(item, out)
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collect(c, out)
		}
	}
}

// mark appends n to out when comment is a valid setter and n a scalar
// Apply can rewrite.
func mark(n *yaml.Node, comment string, out *[]target) {
	if comment == "" || n.Anchor != "" || n.Style&(yaml.TaggedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return
	}
	s, ok, err := ParseComment(comment)
	if err != nil || !ok {
		return
	}
	*out = append(*out, target{node: n, setter: s})
}

// lineStarts returns the byte offset of the start of each line of src,
// lines ending at "\n", "\r\n" or a lone "\r" as in YAML.
func lineStarts(src []byte) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return starts
}

// tokenSpan returns the byte span of the token of the single-line scalar
// n in src, and false when it cannot be located exactly.
func tokenSpan(src []byte, lines []int, n *yaml.Node) (int, int, bool) {
	if n.Line < 1 || n.Line > len(lines) || n.Column < 1 {
		return 0, 0, false
	}
	start := lines[n.Line-1]
	for range n.Column - 1 {
		if start >= len(src) || src[start] == '\n' || src[start] == '\r' {
			return 0, 0, false
		}
		_, size := utf8.DecodeRune(src[start:])
		start += size
	}
	rest := src[start:]
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end, ok := quotedEnd(rest, '"')
		return start, start + end, ok
	case n.Style&yaml.SingleQuotedStyle != 0:
		end, ok := quotedEnd(rest, '\'')
		return start, start + end, ok
	default:
		if n.Value == "" || !bytes.HasPrefix(rest, []byte(n.Value)) {
			return 0, 0, false
		}
		end := len(n.Value)
		if end < len(rest) && !bytes.ContainsRune([]byte(" \t\r\n,]}"), rune(rest[end])) {
			return 0, 0, false
		}
		return start, start + end, true
	}
}

// quotedEnd returns the length of the quoted token at the start of b,
// quotes included, and false when b does not start with quote or the
// token does not end on its line.
func quotedEnd(b []byte, quote byte) (int, bool) {
	if len(b) == 0 || b[0] != quote {
		return 0, false
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\n', '\r':
			return 0, false
		case '\\':
			if quote == '"' {
				i++
			}
		case quote:
			if quote == '\'' && i+1 < len(b) && b[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, true
		}
	}
	return 0, false
}

// render writes val as a token of n's style: double-quoted or
// single-quoted as before, plain when val stays a scalar of the same kind
// unquoted, double-quoted otherwise.
func render(n *yaml.Node, val string) string {
	switch {
	case n.Style&yaml.SingleQuotedStyle != 0 && printable(val):
		return "'" + strings.ReplaceAll(val, "'", "''") + "'"
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return strconv.Quote(val)
	case plainSafe(val, n.Tag):
		return val
	default:
		return strconv.Quote(val)
	}
}

// printable reports whether s holds only printable characters, which
// single quotes keep as they are.
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// plainSafe reports whether val can replace a plain scalar of YAML tag
// oldTag unquoted: it reads back as the same text, and as a string when
// the old value was one.
func plainSafe(val, oldTag string) bool {
	if !plainValue.MatchString(val) || strings.HasSuffix(val, ":") {
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("v: "+val+"\n"), &doc); err != nil {
		return false
	}
	if len(doc.Content) != 1 || len(doc.Content[0].Content) != 2 {
		return false
	}
	got := doc.Content[0].Content[1]
	if got.Kind != yaml.ScalarNode || got.Value != val {
		return false
	}
	return oldTag != "!!str" || got.Tag == "!!str"
}

// splice applies edits, which do not overlap, to a copy of src.
func splice(src []byte, edits []edit) []byte {
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	var out bytes.Buffer
	out.Grow(len(src))
	pos := 0
	for _, e := range edits {
		if e.start < pos {
			continue
		}
		out.Write(src[pos:e.start])
		out.WriteString(e.text)
		pos = e.end
	}
	out.Write(src[pos:])
	return out.Bytes()
}
