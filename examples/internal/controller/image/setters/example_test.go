package setters_test

import (
	"fmt"

	"github.com/sluice-dev/sluice/examples/internal/controller/image/setters"
)

func ExampleApply() {
	src := []byte(`spec:
  containers:
    - name: app
      image: ghcr.io/org/app:v1.0.0 # {"$imagepolicy": "apps:app"}
    - name: proxy
      image: "envoy:1.30" # not managed
`)
	out, changes, err := setters.Apply(src, func(namespace, name string) (setters.Image, bool) {
		if namespace == "apps" && name == "app" {
			return setters.Image{Name: "ghcr.io/org/app", Tag: "v1.1.0"}, true
		}
		return setters.Image{}, false
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	for _, c := range changes {
		fmt.Printf("line %d (%s): %s -> %s\n", c.Line, c.Setter, c.OldValue, c.NewValue)
	}
	// Output:
	// spec:
	//   containers:
	//     - name: app
	//       image: ghcr.io/org/app:v1.1.0 # {"$imagepolicy": "apps:app"}
	//     - name: proxy
	//       image: "envoy:1.30" # not managed
	// line 4 (apps:app): ghcr.io/org/app:v1.0.0 -> ghcr.io/org/app:v1.1.0
}

func ExampleParseComment() {
	s, ok, err := setters.ParseComment(`# {"$imagepolicy": "apps:app:tag"}`)
	fmt.Println(s.Namespace, s.Name, s.Field, ok, err)
	// Output: apps app tag true <nil>
}
