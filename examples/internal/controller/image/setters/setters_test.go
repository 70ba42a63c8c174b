package setters_test

import (
	"testing"

	. "github.com/onsi/gomega"
	yaml "go.yaml.in/yaml/v3"

	"github.com/sluice-dev/sluice/examples/internal/controller/image/setters"
)

func resolver(images map[string]setters.Image) setters.Resolver {
	return func(ns, name string) (setters.Image, bool) {
		img, ok := images[ns+"/"+name]
		return img, ok
	}
}

func TestParseComment(t *testing.T) {
	tests := []struct {
		comment string
		want    setters.Setter
		ok      bool
		invalid bool
	}{
		{comment: `# {"$imagepolicy": "apps:app"}`, want: setters.Setter{Namespace: "apps", Name: "app"}, ok: true},
		{comment: `{"$imagepolicy":"apps:app:tag"}`, want: setters.Setter{Namespace: "apps", Name: "app", Field: setters.FieldTag}, ok: true},
		{comment: `#  {"$imagepolicy": "a.b:c-d:name"}  `, want: setters.Setter{Namespace: "a.b", Name: "c-d", Field: setters.FieldName}, ok: true},
		{comment: `# just a comment`},
		{comment: `# see $imagepolicy docs`},
		{comment: `# {"other": 1}`},
		{comment: `# {"$imagepolicy": "apps"}`, invalid: true},
		{comment: `# {"$imagepolicy": "apps:app:digest"}`, invalid: true},
		{comment: `# {"$imagepolicy": "Apps:app"}`, invalid: true},
		{comment: `# {"$imagepolicy": ":app"}`, invalid: true},
		{comment: `# {"$imagepolicy": 3}`, invalid: true},
		{comment: `# {"$imagepolicy": "a:b"`, invalid: true},
		{comment: `# {"$imagepolicyx": "a:b"}`, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.comment, func(t *testing.T) {
			g := NewWithT(t)
			s, ok, err := setters.ParseComment(tt.comment)
			if tt.invalid {
				g.Expect(err).To(MatchError(setters.ErrInvalidSetter))
				g.Expect(ok).To(BeFalse())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ok).To(Equal(tt.ok))
			g.Expect(s).To(Equal(tt.want))
			if ok {
				back, _, err := setters.ParseComment(`{"$imagepolicy": "` + s.String() + `"}`)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(back).To(Equal(s))
			}
		})
	}
}

const deployment = `# The app, kept up to date by the image automation.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app   # the name
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.local/team/app:v1.0.0 # {"$imagepolicy": "apps:app"}
          args: ["--port", "8080"]
        - name: sidecar
          image: "registry.local/team/sidecar:1.0"   # {"$imagepolicy": "apps:sidecar"}
        - name: pinned
          image: registry.local/team/pinned:1.0 # not managed
---
images:
  - name: registry.local/team/app
    newName: 'registry.local/team/app' # {"$imagepolicy": "apps:app:name"}
    newTag: v1.0.0 # {"$imagepolicy": "apps:app:tag"}
  - name: unknown
    newTag: v9 # {"$imagepolicy": "apps:missing:tag"}
list:
  - registry.local/team/app:v1.0.0 # {"$imagepolicy": "apps:app"}
`

const deploymentUpdated = `# The app, kept up to date by the image automation.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app   # the name
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.local/team/app:v1.2.0 # {"$imagepolicy": "apps:app"}
          args: ["--port", "8080"]
        - name: sidecar
          image: "registry.local/team/sidecar:1.10"   # {"$imagepolicy": "apps:sidecar"}
        - name: pinned
          image: registry.local/team/pinned:1.0 # not managed
---
images:
  - name: registry.local/team/app
    newName: 'registry.local/team/app' # {"$imagepolicy": "apps:app:name"}
    newTag: v1.2.0 # {"$imagepolicy": "apps:app:tag"}
  - name: unknown
    newTag: v9 # {"$imagepolicy": "apps:missing:tag"}
list:
  - registry.local/team/app:v1.2.0 # {"$imagepolicy": "apps:app"}
`

func TestApplyRewritesOnlyMarkedFields(t *testing.T) {
	g := NewWithT(t)
	resolve := resolver(map[string]setters.Image{
		"apps/app":     {Name: "registry.local/team/app", Tag: "v1.2.0"},
		"apps/sidecar": {Name: "registry.local/team/sidecar", Tag: "1.10"},
	})
	out, changes, err := setters.Apply([]byte(deployment), resolve)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(Equal(deploymentUpdated))
	g.Expect(changes).To(Equal([]setters.Change{
		{Line: 11, Setter: setters.Setter{Namespace: "apps", Name: "app"}, OldValue: "registry.local/team/app:v1.0.0", NewValue: "registry.local/team/app:v1.2.0"},
		{Line: 14, Setter: setters.Setter{Namespace: "apps", Name: "sidecar"}, OldValue: "registry.local/team/sidecar:1.0", NewValue: "registry.local/team/sidecar:1.10"},
		{Line: 21, Setter: setters.Setter{Namespace: "apps", Name: "app", Field: setters.FieldTag}, OldValue: "v1.0.0", NewValue: "v1.2.0"},
		{Line: 25, Setter: setters.Setter{Namespace: "apps", Name: "app"}, OldValue: "registry.local/team/app:v1.0.0", NewValue: "registry.local/team/app:v1.2.0"},
	}))

	again, changes, err := setters.Apply(out, resolve)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changes).To(BeEmpty())
	g.Expect(again).To(Equal(out))
}

func TestApplyKeepsTypesAndStyles(t *testing.T) {
	tests := []struct {
		name, in, want string
		img            setters.Image
	}{
		{
			name: "a plain string that would read as a number is quoted",
			in:   "tag: v1 # {\"$imagepolicy\": \"a:b:tag\"}\n",
			img:  setters.Image{Name: "x", Tag: "1.10"},
			want: "tag: \"1.10\" # {\"$imagepolicy\": \"a:b:tag\"}\n",
		},
		{
			name: "a plain number stays plain",
			in:   "tag: 1.0 # {\"$imagepolicy\": \"a:b:tag\"}\n",
			img:  setters.Image{Name: "x", Tag: "1.10"},
			want: "tag: 1.10 # {\"$imagepolicy\": \"a:b:tag\"}\n",
		},
		{
			name: "single quotes are kept and escaped",
			in:   "name: 'x' # {\"$imagepolicy\": \"a:b:name\"}\n",
			img:  setters.Image{Name: "it's", Tag: "1"},
			want: "name: 'it''s' # {\"$imagepolicy\": \"a:b:name\"}\n",
		},
		{
			name: "CRLF line endings and multi-byte text before the value",
			in:   "é: x\r\nimages: [ ] # c\r\nnom: « x » \r\nimage: app:1 # {\"$imagepolicy\": \"a:b\"}\r\n",
			img:  setters.Image{Name: "app", Tag: "2"},
			want: "é: x\r\nimages: [ ] # c\r\nnom: « x » \r\nimage: app:2 # {\"$imagepolicy\": \"a:b\"}\r\n",
		},
		{
			name: "multi-byte characters on the same line",
			in:   "ïmägé: app:1 # {\"$imagepolicy\": \"a:b\"}\n",
			img:  setters.Image{Name: "app", Tag: "2"},
			want: "ïmägé: app:2 # {\"$imagepolicy\": \"a:b\"}\n",
		},
		{
			name: "block scalars and anchors are left alone",
			in:   "a: |\n  app:1\nb: &x app:1 # {\"$imagepolicy\": \"a:b\"}\n",
			img:  setters.Image{Name: "app", Tag: "2"},
			want: "a: |\n  app:1\nb: &x app:1 # {\"$imagepolicy\": \"a:b\"}\n",
		},
		{
			name: "an invalid setter is skipped",
			in:   "image: app:1 # {\"$imagepolicy\": \"a\"}\n",
			img:  setters.Image{Name: "app", Tag: "2"},
			want: "image: app:1 # {\"$imagepolicy\": \"a\"}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			out, _, err := setters.Apply([]byte(tt.in), func(string, string) (setters.Image, bool) { return tt.img, true })
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(string(out)).To(Equal(tt.want))
			var v any
			g.Expect(yaml.Unmarshal(out, &v)).To(Succeed())
		})
	}
}

func TestApplyReportsInvalidYAML(t *testing.T) {
	g := NewWithT(t)
	_, _, err := setters.Apply([]byte("a: {{ .Values.image }} # {\"$imagepolicy\": \"a:b\"}\n: ["), func(string, string) (setters.Image, bool) {
		return setters.Image{Name: "x", Tag: "y"}, true
	})
	g.Expect(err).To(MatchError(setters.ErrInvalidYAML))
	var ye *setters.YAMLError
	g.Expect(err).To(BeAssignableToTypeOf(ye))
}

func TestApplyWithoutMarkerReturnsInput(t *testing.T) {
	g := NewWithT(t)
	in := []byte("not: [valid")
	out, changes, err := setters.Apply(in, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changes).To(BeNil())
	g.Expect(out).To(Equal(in))
}
