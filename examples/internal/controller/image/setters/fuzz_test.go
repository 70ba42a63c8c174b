package setters_test

import (
	"bytes"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/sluice-dev/sluice/examples/internal/controller/image/setters"
)

// FuzzApply checks, for any input and any new image, that Apply does not
// panic, changes nothing but marked fields (no change returns the input),
// keeps valid YAML valid, and is idempotent.
func FuzzApply(f *testing.F) {
	f.Add(deployment, "registry.local/team/app", "v1.2.0")
	f.Add("tag: v1 # {\"$imagepolicy\": \"a:b:tag\"}\n", "x", "1.10")
	f.Add("- 'a' # {\"$imagepolicy\": \"a:b\"}\r\n- \"b\\\"\" # {\"$imagepolicy\": \"a:b:name\"}\n", "it's", "null")
	f.Add("{ é: ü, image: app:1 } # {\"$imagepolicy\": \"a:b\"}\n", "app", "#2 x")
	f.Fuzz(func(t *testing.T, src, name, tag string) {
		resolve := func(string, string) (setters.Image, bool) { return setters.Image{Name: name, Tag: tag}, true }
		out, changes, err := setters.Apply([]byte(src), resolve)
		if err != nil {
			return
		}
		if len(changes) == 0 && !bytes.Equal(out, []byte(src)) {
			t.Fatalf("no change reported but output differs:\n%q\n%q", src, out)
		}
		if len(changes) == 0 {
			return
		}
		var before, after []any
		if err := decodeAll([]byte(src), &before); err != nil {
			return
		}
		if err := decodeAll(out, &after); err != nil {
			t.Fatalf("output is not YAML: %v\nin:  %q\nout: %q", err, src, out)
		}
		if len(before) != len(after) {
			t.Fatalf("documents changed: %d -> %d", len(before), len(after))
		}
		again, more, err := setters.Apply(out, resolve)
		if err != nil || len(more) != 0 || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %v %v\nout:   %q\nagain: %q", err, more, out, again)
		}
	})
}

func decodeAll(b []byte, docs *[]any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if err.Error() == "EOF" {
				return nil
			}
			return err
		}
		*docs = append(*docs, v)
	}
}

// FuzzParseComment checks that ParseComment does not panic and that a
// setter it accepts reads back from its String form.
func FuzzParseComment(f *testing.F) {
	f.Add(`# {"$imagepolicy": "apps:app:tag"}`)
	f.Add(`{"$imagepolicy": "a:b"`)
	f.Fuzz(func(t *testing.T, comment string) {
		s, ok, err := setters.ParseComment(comment)
		if err != nil || !ok {
			return
		}
		back, ok, err := setters.ParseComment(`{"$imagepolicy": "` + s.String() + `"}`)
		if err != nil || !ok || back != s {
			t.Fatalf("%q -> %v -> %v %v %v", comment, s, back, ok, err)
		}
	})
}
