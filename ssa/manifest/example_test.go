package manifest_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/ssa/manifest"
)

func ExampleRead() {
	objs, err := manifest.Read(strings.NewReader(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
---
# comments-only documents are skipped
---
apiVersion: v1
kind: Namespace
metadata: {name: apps}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	manifest.Sort(objs)
	for _, o := range objs {
		fmt.Println(o.GetKind(), o.GetName())
	}
	// Output:
	// Namespace apps
	// Deployment web
}

func ExampleDocumentError() {
	_, err := manifest.Read(strings.NewReader(`apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
---
apiVersion: v1
kind: ConfigMap
metadata: {}
`))
	var de *manifest.DocumentError
	if errors.As(err, &de) {
		fmt.Println(de.Index, de.Line, errors.Is(err, manifest.ErrMissingField))
	}
	fmt.Println(err)
	// Output:
	// 2 5 true
	// read manifest document 2 line 5: missing required field: metadata.name
}
