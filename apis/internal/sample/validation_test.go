package sample_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/internal/sample"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

const (
	sha1Rev   = "sha1:4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	sha256Dig = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Sample is what runtime/conditions and the matchers work with.
var _ meta.ObjectWithConditionsSetter = &sample.Sample{}

// unstructuredSample returns a valid Sample as a map, so that tests can
// write values the Go types cannot express (a malformed duration).
func unstructuredSample(ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{
			"sourceRef": map[string]any{"name": "app-source"},
			"secretRef": map[string]any{"name": "app-credentials", "key": "token"},
			"interval":  "1m30s",
			"timeout":   "2m",
			"mode":      "Replace",
			"path":      "deploy/prod",
		},
	}}
	u.SetGroupVersionKind(sample.GroupVersion().WithKind("Sample"))
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func TestSpecValidation(t *testing.T) {
	g := NewWithT(t)
	ns, err := env.CreateNamespace(t.Context(), "spec")
	g.Expect(err).NotTo(HaveOccurred())

	tests := []struct {
		name   string
		path   []string // field to set, under spec
		value  any
		detail string // a fragment of the apiserver's message
	}{
		{"name not DNS-1123", []string{"sourceRef", "name"}, "My_Source", "spec.sourceRef.name"},
		{"empty name", []string{"sourceRef", "name"}, "", "spec.sourceRef.name"},
		{"name too long", []string{"sourceRef", "name"}, strings.Repeat("a", meta.NameMaxLength+1), "spec.sourceRef.name"},
		{"secret key with slash", []string{"secretRef", "key"}, "a/b", "spec.secretRef.key"},
		{"path too long", []string{"path"}, strings.Repeat("p", 1025), "spec.path"},
		{"mode not in enum", []string{"mode"}, "Bogus", "spec.mode"},
		{"duration in words", []string{"interval"}, "5 minutes", "spec.interval"},
		{"negative duration", []string{"interval"}, "-5m", "spec.interval"},
		{"duration in days", []string{"timeout"}, "1d", "spec.timeout"},
		{"bare number", []string{"timeout"}, "300", "spec.timeout"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			u := unstructuredSample(ns, "invalid-"+strings.Repeat("x", i+1))
			g.Expect(unstructured.SetNestedField(u.Object, tt.value, append([]string{"spec"}, tt.path...)...)).To(Succeed())
			err := env.Client().Create(t.Context(), u)
			g.Expect(err).To(matchers.BeInvalid())
			g.Expect(err).To(MatchError(ContainSubstring(tt.detail)))
		})
	}

	t.Run("missing required sourceRef", func(t *testing.T) {
		g := NewWithT(t)
		u := unstructuredSample(ns, "no-source")
		unstructured.RemoveNestedField(u.Object, "spec", "sourceRef")
		err := env.Client().Create(t.Context(), u)
		g.Expect(err).To(matchers.BeInvalid())
		g.Expect(err).To(MatchError(ContainSubstring("spec.sourceRef")))
	})

	t.Run("valid object is accepted", func(t *testing.T) {
		g := NewWithT(t)
		u := unstructuredSample(ns, "valid")
		g.Expect(env.Client().Create(t.Context(), u)).To(Succeed())
		t.Cleanup(func() { _ = env.DeleteAndWait(t.Context(), u) })
	})
}

func TestDefaultsAndStatusValidation(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, "status")
	g.Expect(err).NotTo(HaveOccurred())

	obj := &sample.Sample{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"},
		Spec: sample.Spec{
			SourceRef: meta.LocalObjectReference{Name: "app-source"},
			Interval:  metav1.Duration{Duration: 90 * time.Second},
		},
	}
	g.Expect(env.Client().Create(ctx, obj)).To(Succeed())
	t.Cleanup(func() { _ = env.DeleteAndWait(ctx, obj) })

	// The defaults the markers declare are applied by the apiserver.
	g.Expect(obj.Spec.Mode).To(Equal(sample.ModeApply))
	g.Expect(obj.Spec.Timeout).To(Equal(&metav1.Duration{Duration: 5 * time.Minute}))

	size := int64(4096)
	valid := meta.Artifact{
		Revision:       "refs/heads/main@" + sha1Rev,
		Digest:         sha256Dig,
		URL:            "http://source-controller.sluice-system.svc/sample/app/latest.tar.gz",
		Path:           "sample/app/latest.tar.gz",
		Size:           &size,
		LastUpdateTime: metav1.Now(),
		Metadata:       map[string]string{"source": "git"},
	}

	tests := []struct {
		name   string
		mutate func(*meta.Artifact)
		want   error
		detail string
	}{
		{"revision without digest", func(a *meta.Artifact) { a.Revision = "main" }, meta.ErrInvalidRevision, "status.artifact.revision"},
		{"revision with uppercase hex", func(a *meta.Artifact) { a.Revision = "main@" + strings.ToUpper(sha1Rev) }, meta.ErrInvalidRevision, "status.artifact.revision"},
		{"revision with empty pointer", func(a *meta.Artifact) { a.Revision = "@" + sha1Rev }, meta.ErrInvalidRevision, "status.artifact.revision"},
		{"revision with short hex", func(a *meta.Artifact) { a.Revision = "main@sha256:abcd" }, meta.ErrInvalidRevision, "status.artifact.revision"},
		{"digest with sha1", func(a *meta.Artifact) { a.Digest = sha1Rev }, meta.ErrInvalidDigest, "status.artifact.digest"},
		{"digest with unknown algorithm", func(a *meta.Artifact) { a.Digest = "md5:d41d8cd98f00b204e9800998ecf8427e" }, meta.ErrInvalidDigest, "status.artifact.digest"},
		{"negative size", func(a *meta.Artifact) { n := int64(-1); a.Size = &n }, meta.ErrInvalidSize, "status.artifact.size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			bad := valid.DeepCopy()
			tt.mutate(bad)
			// Go and the apiserver agree.
			g.Expect(bad.Validate()).To(MatchError(tt.want))

			update := obj.DeepCopy()
			update.Status.Artifact = bad
			err := env.Client().Status().Update(ctx, update)
			g.Expect(err).To(matchers.BeInvalid())
			g.Expect(err).To(MatchError(ContainSubstring(tt.detail)))
		})
	}

	t.Run("valid status is accepted", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(valid.Validate()).To(Succeed())
		update := obj.DeepCopy()
		update.Status.Artifact = valid.DeepCopy()
		update.Status.ObservedGeneration = obj.Generation
		update.Status.LastHandledReconcileAt = "2026-11-24T01:00:00Z"
		update.Status.Conditions = []metav1.Condition{{
			Type:               meta.ReadyCondition,
			Status:             metav1.ConditionTrue,
			Reason:             meta.SucceededReason,
			Message:            "stored artifact for revision " + valid.Revision,
			ObservedGeneration: obj.Generation,
			LastTransitionTime: metav1.Now(),
		}}
		g.Expect(env.Client().Status().Update(ctx, update)).To(Succeed())

		got := &sample.Sample{}
		g.Expect(env.Client().Get(ctx, client.ObjectKeyFromObject(obj), got)).To(Succeed())
		g.Expect(got).To(matchers.BeReady().WithReason(meta.SucceededReason).ForCurrentGeneration())
		g.Expect(got.Status.Artifact.HasRevision(valid.Revision)).To(BeTrue())
		g.Expect(got.Status.Artifact.HasDigest(valid.Digest)).To(BeTrue())
		g.Expect(got.Status.GetLastHandledReconcileRequest()).To(Equal("2026-11-24T01:00:00Z"))
	})
}
