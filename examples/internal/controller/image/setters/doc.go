// Package setters rewrites the image references of YAML files at the
// fields marked with setter comments, leaving every other byte of the file
// as it was: comments, indentation, quoting and key order survive.
//
// A setter comment is a line comment holding a JSON object whose key
// "$imagepolicy" names an ImagePolicy as "<namespace>:<name>", with an
// optional third part saying which part of the policy's image the field
// holds:
//
//	image: ghcr.io/org/app:v1.0.0 # {"$imagepolicy": "apps:app"}
//	newName: ghcr.io/org/app # {"$imagepolicy": "apps:app:name"}
//	newTag: v1.0.0 # {"$imagepolicy": "apps:app:tag"}
//
// The one call a newcomer needs:
//
//	out, changes, err := setters.Apply(src, func(ns, name string) (setters.Image, bool) {
//		return setters.Image{Name: "ghcr.io/org/app", Tag: "v1.1.0"}, true
//	})
//
// Apply parses the YAML with go.yaml.in/yaml/v3 only to find the marked
// scalars and their positions, then replaces exactly those tokens in the
// original bytes, keeping each scalar's quoting style (a plain scalar whose
// new value would read as another type or would not parse is written
// double-quoted).
//
// # Concurrency
//
// Every function is pure and safe for concurrent use.
//
// # Errors
//
// ParseComment returns an error wrapping ErrInvalidSetter for a comment
// that mentions "$imagepolicy" but cannot be read. Apply returns a
// *YAMLError wrapping ErrInvalidYAML for input that is not YAML; a caller
// walking a repository usually skips such files (templates, for instance).
// Invalid setter comments inside valid YAML are skipped, not errors.
package setters
