package sample_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/acl"
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
			"targetRef": map[string]any{
				"apiVersion": "source.sluice.dev/v1",
				"kind":       "GitRepository",
				"name":       "app-repo",
				"namespace":  "flux-system",
			},
			"kubeConfig": map[string]any{
				"secretRef": map[string]any{"name": "remote-kubeconfig", "key": "value.yaml"},
			},
			"accessFrom": map[string]any{
				"namespaceSelectors": []any{
					map[string]any{"matchLabels": map[string]any{"team": "payments", "kubernetes.io/metadata.name": "apps"}},
					map[string]any{},
				},
			},
			"interval": "1m30s",
			"timeout":  "2m",
			"mode":     "Replace",
			"path":     "deploy/prod",
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
		detail string // a fragment of the apiserver's message: field and failure
	}{
		{"name not DNS-1123", []string{"sourceRef", "name"}, "My_Source", "spec.sourceRef.name in body should match"},
		{"empty name", []string{"sourceRef", "name"}, "", "spec.sourceRef.name in body should be at least 1 chars long"},
		{"name too long", []string{"sourceRef", "name"}, strings.Repeat("a", meta.NameMaxLength+1), "spec.sourceRef.name: Too long"},
		{"secret key with slash", []string{"secretRef", "key"}, "a/b", "spec.secretRef.key in body should match"},
		{"target name not DNS-1123", []string{"targetRef", "name"}, "App_Repo", "spec.targetRef.name in body should match"},
		{"target name empty", []string{"targetRef", "name"}, "", "spec.targetRef.name in body should be at least 1 chars long"},
		{"target name too long", []string{"targetRef", "name"}, strings.Repeat("a", meta.NameMaxLength+1), "spec.targetRef.name: Too long"},
		{"target namespace with a dot", []string{"targetRef", "namespace"}, "flux.system", "spec.targetRef.namespace in body should match"},
		{"target namespace empty", []string{"targetRef", "namespace"}, "", "spec.targetRef.namespace in body should be at least 1 chars long"},
		{"target namespace too long", []string{"targetRef", "namespace"}, strings.Repeat("n", meta.NamespaceMaxLength+1), "spec.targetRef.namespace: Too long"},
		{"target kind lowercase", []string{"targetRef", "kind"}, "gitRepository", "spec.targetRef.kind in body should match"},
		{"target kind too long", []string{"targetRef", "kind"}, "K" + strings.Repeat("k", 63), "spec.targetRef.kind: Too long"},
		{"target apiVersion with a space", []string{"targetRef", "apiVersion"}, "source.sluice.dev/ v1", "spec.targetRef.apiVersion in body should match"},
		{"target apiVersion with two slashes", []string{"targetRef", "apiVersion"}, "sluice.dev/source/v1", "spec.targetRef.apiVersion in body should match"},
		{"target apiVersion uppercase", []string{"targetRef", "apiVersion"}, "Source.sluice.dev/V1", "spec.targetRef.apiVersion in body should match"},
		{"target apiVersion too long", []string{"targetRef", "apiVersion"}, strings.Repeat("a", 250) + ".io/v1", "spec.targetRef.apiVersion: Too long"},
		{"kubeconfig secret name not DNS-1123", []string{"kubeConfig", "secretRef", "name"}, "Remote_KubeConfig", "spec.kubeConfig.secretRef.name in body should match"},
		{"kubeconfig key with slash", []string{"kubeConfig", "secretRef", "key"}, "config/value", "spec.kubeConfig.secretRef.key in body should match"},
		{"kubeconfig key empty", []string{"kubeConfig", "secretRef", "key"}, "", "spec.kubeConfig.secretRef.key in body should be at least 1 chars long"},
		{"kubeconfig key too long", []string{"kubeConfig", "secretRef", "key"}, strings.Repeat("k", meta.SecretKeyMaxLength+1), "spec.kubeConfig.secretRef.key: Too long"},
		{"path too long", []string{"path"}, strings.Repeat("p", 1025), "spec.path: Too long"},
		{"mode not in enum", []string{"mode"}, "Bogus", "spec.mode: Unsupported value"},
		{"duration in words", []string{"interval"}, "5 minutes", "spec.interval in body should match"},
		{"negative duration", []string{"interval"}, "-5m", "spec.interval in body should match"},
		{"duration in days", []string{"timeout"}, "1d", "spec.timeout in body should match"},
		{"bare number", []string{"timeout"}, "300", "spec.timeout in body should match"},
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

	for _, path := range [][]string{
		{"sourceRef"},
		{"sourceRef", "name"},
		{"interval"},
		{"targetRef", "name"},
		{"targetRef", "namespace"},
		{"kubeConfig", "secretRef"},
		{"kubeConfig", "secretRef", "name"},
		{"kubeConfig", "secretRef", "key"},
	} {
		field := "spec." + strings.Join(path, ".")
		t.Run("missing required "+field, func(t *testing.T) {
			g := NewWithT(t)
			u := unstructuredSample(ns, "missing-"+strings.ToLower(strings.Join(path, "-")))
			unstructured.RemoveNestedField(u.Object, append([]string{"spec"}, path...)...)
			err := env.Client().Create(t.Context(), u)
			g.Expect(err).To(matchers.BeInvalid())
			g.Expect(err).To(MatchError(ContainSubstring(field + ": Required value")))
		})
	}

	// The optional references may be left out altogether.
	t.Run("optional references absent", func(t *testing.T) {
		g := NewWithT(t)
		u := unstructuredSample(ns, "no-optional-refs")
		for _, f := range []string{"secretRef", "targetRef", "kubeConfig", "accessFrom"} {
			unstructured.RemoveNestedField(u.Object, "spec", f)
		}
		g.Expect(env.Client().Create(t.Context(), u)).To(Succeed())
		t.Cleanup(func() { _ = env.DeleteAndWait(t.Context(), u) })
	})

	// Every limit, reached but not passed, is accepted.
	t.Run("longest references accepted", func(t *testing.T) {
		g := NewWithT(t)
		u := unstructuredSample(ns, "longest-refs")
		for _, f := range []struct {
			path  []string
			value string
		}{
			{[]string{"targetRef", "apiVersion"}, "v1"},
			{[]string{"targetRef", "kind"}, "K" + strings.Repeat("k", 62)},
			{[]string{"targetRef", "name"}, strings.Repeat("a", meta.NameMaxLength)},
			{[]string{"targetRef", "namespace"}, strings.Repeat("n", meta.NamespaceMaxLength)},
			{[]string{"kubeConfig", "secretRef", "name"}, strings.Repeat("s", meta.NameMaxLength)},
			{[]string{"kubeConfig", "secretRef", "key"}, strings.Repeat("k", meta.SecretKeyMaxLength)},
		} {
			g.Expect(unstructured.SetNestedField(u.Object, f.value, append([]string{"spec"}, f.path...)...)).To(Succeed())
		}
		g.Expect(env.Client().Create(t.Context(), u)).To(Succeed())
		t.Cleanup(func() { _ = env.DeleteAndWait(t.Context(), u) })

		got := &sample.Sample{}
		g.Expect(env.Client().Get(t.Context(), client.ObjectKeyFromObject(u), got)).To(Succeed())
		g.Expect(got.Spec.TargetRef.Namespace).To(HaveLen(meta.NamespaceMaxLength))
		g.Expect(got.Spec.KubeConfig.SecretRef.Key).To(HaveLen(meta.SecretKeyMaxLength))
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

// selectors returns n namespace selectors, each matching on labels.
func selectors(n int, labels map[string]any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"matchLabels": labels}
	}
	return out
}

// labelMap returns n labels named key-<i> with value v.
func labelMap(n int, v string) map[string]any {
	out := make(map[string]any, n)
	for i := range n {
		out[fmt.Sprintf("key-%d", i)] = v
	}
	return out
}

func TestAccessFromValidation(t *testing.T) {
	g := NewWithT(t)
	ns, err := env.CreateNamespace(t.Context(), "access")
	g.Expect(err).NotTo(HaveOccurred())

	const field = "spec.accessFrom.namespaceSelectors"
	// The longest key Kubernetes allows: a 253-character prefix, '/' and a
	// 63-character name.
	prefix := strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 61)
	longestKey := prefix + "/" + strings.Repeat("k", 63)
	const keyMessage = "label keys must be Kubernetes label keys"
	longValue := strings.Repeat("v", acl.LabelValueMaxLength+1)
	tests := []struct {
		name       string
		selectors  []any
		wantDetail []string // fragments of the apiserver's message
	}{
		{"too many selectors", selectors(acl.MaxNamespaceSelectors+1, nil),
			[]string{field, "must have at most 16 items"}},
		{"too many labels", selectors(1, labelMap(acl.MaxMatchLabels+1, "a")),
			[]string{field + "[0].matchLabels", "must have at most 16 items"}},
		{"label key too long", selectors(1, map[string]any{longestKey + "k": "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"label key prefix too long", selectors(1, map[string]any{"a" + prefix + "/team": "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"label key name too long", selectors(1, map[string]any{strings.Repeat("k", 64): "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"label key with a space", selectors(1, map[string]any{"team name": "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"label key with two slashes", selectors(1, map[string]any{"sluice.dev/team/name": "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"label key with uppercase prefix", selectors(1, map[string]any{"Sluice.dev/team": "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"empty label key", selectors(1, map[string]any{"": "a"}),
			[]string{field + "[0].matchLabels", keyMessage}},
		{"label value too long in a later selector", append(selectors(1, nil), selectors(1, map[string]any{"team": longValue})...),
			[]string{field + "[1].matchLabels", "label values must be at most 63 characters"}},
		{"label value not a string", selectors(1, map[string]any{"team": int64(1)}),
			[]string{field + "[0].matchLabels.team", "must be of type string"}},
		{"selectors not a list", nil,
			[]string{field, "must be of type array"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			u := unstructuredSample(ns, "invalid-"+strings.Repeat("x", i+1))
			var value any = tt.selectors
			if tt.selectors == nil {
				value = "all"
			}
			g.Expect(unstructured.SetNestedField(u.Object, value, "spec", "accessFrom", "namespaceSelectors")).To(Succeed())
			err := env.Client().Create(t.Context(), u)
			g.Expect(err).To(matchers.BeInvalid())
			for _, d := range tt.wantDetail {
				g.Expect(err).To(MatchError(ContainSubstring(d)))
			}
		})
	}

	// Every limit, reached but not passed, is accepted, and the typed
	// object reads it back.
	t.Run("largest access list accepted", func(t *testing.T) {
		g := NewWithT(t)
		labels := labelMap(acl.MaxMatchLabels-2, strings.Repeat("v", acl.LabelValueMaxLength))
		g.Expect(longestKey).To(HaveLen(acl.LabelKeyMaxLength))
		g.Expect(validation.IsQualifiedName(longestKey)).To(BeEmpty())
		labels[longestKey] = ""
		labels["Team_Name.v2"] = "" // names may hold uppercase, '_' and '.'
		u := unstructuredSample(ns, "largest-access")
		g.Expect(unstructured.SetNestedField(u.Object, selectors(acl.MaxNamespaceSelectors, labels),
			"spec", "accessFrom", "namespaceSelectors")).To(Succeed())
		g.Expect(env.Client().Create(t.Context(), u)).To(Succeed())
		t.Cleanup(func() { _ = env.DeleteAndWait(t.Context(), u) })

		got := &sample.Sample{}
		g.Expect(env.Client().Get(t.Context(), client.ObjectKeyFromObject(u), got)).To(Succeed())
		g.Expect(got.Spec.AccessFrom.NamespaceSelectors).To(HaveLen(acl.MaxNamespaceSelectors))
		g.Expect(got.Spec.AccessFrom.NamespaceSelectors[0].MatchLabels).To(HaveLen(acl.MaxMatchLabels))
		nsLabels := make(map[string]string, len(labels))
		for k, v := range labels {
			nsLabels[k] = v.(string)
		}
		g.Expect(got.Spec.AccessFrom.Selects(nsLabels)).To(BeTrue())
		delete(nsLabels, "key-0")
		g.Expect(got.Spec.AccessFrom.Selects(nsLabels)).To(BeFalse())
	})
}
