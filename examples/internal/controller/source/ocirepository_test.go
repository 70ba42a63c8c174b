package source_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/cosign"
	"github.com/sluice-dev/sluice/testenv/matchers"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// testRegistry is a registry with authentication and a counter of blob
// downloads.
type testRegistry struct {
	*registry.Registry
	blobGets atomic.Int64
	heads    atomic.Int64
	client   *oci.Client
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	tr := &testRegistry{}
	reg, err := registry.New(t.Context(), registry.WithUser("puller", "s3cret"), registry.WithRequestHook(func(r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/"):
			tr.blobGets.Add(1)
		case r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/"):
			tr.heads.Add(1)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	tr.Registry = reg
	creds := reg.Credentials()
	tr.client, err = oci.New(oci.WithInsecureHTTP(), oci.WithAuth(auth.Basic(creds.Username, creds.Password)))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// push pushes files as the artifact repo:tag and returns its digest.
func (r *testRegistry) push(t *testing.T, repoTag string, files map[string]string) string {
	t.Helper()
	dir := writeFiles(t, files)
	res, err := r.client.Push(t.Context(), r.Ref(repoTag), dir, oci.PushOptions{Source: "https://example.invalid/app", Revision: "main@sha1:" + strings.Repeat("1", 40)})
	if err != nil {
		t.Fatal(err)
	}
	return res.Digest.String()
}

// dockerConfigSecret returns a kubernetes.io/dockerconfigjson Secret for r.
func (r *testRegistry) dockerConfigSecret(t *testing.T, ns, name string) *corev1.Secret {
	t.Helper()
	creds := r.Credentials()
	b, err := json.Marshal(map[string]any{"auths": map[string]any{r.Host(): map[string]string{"username": creds.Username, "password": creds.Password}}})
	if err != nil {
		t.Fatal(err)
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: b},
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ociRepo(ns, name, url string, mutate ...func(*sourcev1.OCIRepository)) *sourcev1.OCIRepository {
	obj := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: sourcev1.OCIRepositorySpec{
			URL:       url,
			Interval:  metav1.Duration{Duration: time.Second},
			Insecure:  true,
			SecretRef: &meta.LocalObjectReference{Name: "registry"},
		},
	}
	for _, m := range mutate {
		m(obj)
	}
	return obj
}

func waitOCI(t *testing.T, obj *sourcev1.OCIRepository, m *matchers.ConditionMatcher, extra ...func(Gomega, *sourcev1.OCIRepository)) *sourcev1.OCIRepository {
	t.Helper()
	var got *sourcev1.OCIRepository
	NewWithT(t).Eventually(func(g Gomega) {
		got = &sourcev1.OCIRepository{}
		g.Expect(env.Client().Get(ctxBG, objectKey(obj), got)).To(Succeed())
		g.Expect(got).To(m.ForCurrentGeneration())
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(conditions.CheckKstatus(got, meta.FetchFailedCondition)).To(Succeed())
		for _, e := range extra {
			e(g, got)
		}
	}).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Succeed())
	return got
}

func TestOCIRepositoryPullsTagsSemverAndDigests(t *testing.T) {
	g := NewWithT(t)
	reg := newTestRegistry(t)
	d100 := reg.push(t, "team/app:v1.0.0", map[string]string{"app.yaml": "v: 1.0.0\n", "notes.txt": "n\n"})
	d110 := reg.push(t, "team/app:v1.1.0", map[string]string{"app.yaml": "v: 1.1.0\n"})
	reg.push(t, "team/app:v2.0.0", map[string]string{"app.yaml": "v: 2.0.0\n"})
	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), reg.dockerConfigSecret(t, ns, "registry"))).To(Succeed())

	url := "oci://" + reg.Host() + "/team/app"
	ignore := "*.txt\n"
	tests := []struct {
		obj      *sourcev1.OCIRepository
		revision string
		content  string
	}{
		{ociRepo(ns, "tag", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Tag: "v1.0.0"}
			o.Spec.Ignore = &ignore
		}), "v1.0.0@" + d100, "v: 1.0.0\n"},
		{ociRepo(ns, "semver", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{SemVer: "^1.0.0"}
		}), "v1.1.0@" + d110, "v: 1.1.0\n"},
		{ociRepo(ns, "aws-provider-with-secret", url, func(o *sourcev1.OCIRepository) {
			// The cloud keychain has nothing for this host; the Secret,
			// first in the chain, logs in.
			o.Spec.Provider = sourcev1.OCIProviderAWS
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Tag: "v1.1.0"}
		}), "v1.1.0@" + d110, "v: 1.1.0\n"},
		{ociRepo(ns, "digest", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Digest: d110}
		}), d110, "v: 1.1.0\n"},
	}
	for _, tt := range tests {
		g.Expect(env.Client().Create(t.Context(), tt.obj)).To(Succeed())
	}
	for _, tt := range tests {
		t.Run(tt.obj.Name, func(t *testing.T) {
			g := NewWithT(t)
			got := waitOCI(t, tt.obj, matchers.BeReady())
			g.Expect(got.Status.Artifact.Revision).To(Equal(tt.revision))
			g.Expect(got.Status.Artifact.Validate()).To(Succeed())
			g.Expect(got.Status.Artifact.Metadata).To(HaveKeyWithValue(oci.AnnotationSource, "https://example.invalid/app"))
			files := fetchArtifact(t, got.Status.Artifact)
			g.Expect(files).To(HaveKeyWithValue("app.yaml", tt.content))
			g.Expect(files).NotTo(HaveKey("notes.txt"))
		})
	}

	// Unchanged digest: later reconciles resolve the tag but download no
	// blob.
	tagObj := tests[0].obj
	before := waitOCI(t, tagObj, matchers.BeReady())
	blobs, heads := reg.blobGets.Load(), reg.heads.Load()
	g.Eventually(reg.heads.Load).WithTimeout(eventually).Should(BeNumerically(">=", heads+4))
	g.Expect(reg.blobGets.Load()).To(Equal(blobs), "no pull while the digests do not move")
	g.Expect(waitOCI(t, tagObj, matchers.BeReady()).Status.Artifact).To(Equal(before.Status.Artifact))

	// Moving the tag gives a new artifact.
	moved := reg.push(t, "team/app:v1.0.0", map[string]string{"app.yaml": "v: 1.0.0-fixed\n"})
	got := waitOCI(t, tagObj, matchers.BeReady(), func(g Gomega, o *sourcev1.OCIRepository) {
		g.Expect(o.Status.Artifact.Revision).To(Equal("v1.0.0@" + moved))
	})
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(HaveKeyWithValue("app.yaml", "v: 1.0.0-fixed\n"))

	// Deleting the object removes its artifacts.
	g.Expect(env.DeleteAndWait(t.Context(), tagObj)).To(Succeed())
	g.Expect(store.Has(got.Status.Artifact)).To(BeFalse())
}

func TestOCIRepositoryReportsFailures(t *testing.T) {
	g := NewWithT(t)
	reg := newTestRegistry(t)
	reg.push(t, "team/app:v1.0.0", map[string]string{"a": "b"})
	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), reg.dockerConfigSecret(t, ns, "registry"))).To(Succeed())
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "empty"},
		Data:       map[string][]byte{"README": []byte("x")},
	})).To(Succeed())
	url := "oci://" + reg.Host() + "/team/app"
	tests := []struct {
		obj     *sourcev1.OCIRepository
		stalled bool
		reason  string
	}{
		{ociRepo(ns, "anonymous", url, func(o *sourcev1.OCIRepository) {
			o.Spec.SecretRef = nil
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Tag: "v1.0.0"}
		}), false, meta.AuthenticationFailedReason},
		{ociRepo(ns, "missing-tag", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Tag: "v9"}
		}), false, meta.FailedReason},
		{ociRepo(ns, "bad-url", "oci://"+reg.Host()+"/Team/App"), true, meta.InvalidURLReason},
		{ociRepo(ns, "bad-secret", url, func(o *sourcev1.OCIRepository) {
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "empty"}
		}), true, meta.InvalidConfigReason},
		{ociRepo(ns, "no-keys", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{SecretRef: &meta.LocalObjectReference{Name: "empty"}}
		}), true, meta.InvalidConfigReason},
		{ociRepo(ns, "keyless-without-root", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{MatchOIDCIdentity: []sourcev1.OIDCIdentityMatch{{Issuer: ".*", Subject: ".*"}}}
		}), true, meta.InvalidConfigReason},
		{ociRepo(ns, "bad-semver", url, func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{SemVer: "not a range"}
		}), true, meta.InvalidConfigReason},
	}
	for _, tt := range tests {
		g.Expect(env.Client().Create(t.Context(), tt.obj)).To(Succeed(), tt.obj.Name)
	}
	for _, tt := range tests {
		t.Run(tt.obj.Name, func(t *testing.T) {
			g := NewWithT(t)
			got := waitOCI(t, tt.obj, matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(tt.reason))
			if tt.stalled {
				g.Expect(got).To(matchers.BeStalled().WithReason(tt.reason))
			} else {
				g.Expect(got).To(matchers.BeReconciling().WithReason(meta.ProgressingWithRetryReason))
			}
			g.Expect(got.Status.Artifact).To(BeNil())
		})
	}
}

func TestOCIRepositoryVerifiesCosignSignatures(t *testing.T) {
	g := NewWithT(t)
	cli, err := cosign.New(t.Context(), cosign.Options{Progress: io.Discard})
	g.Expect(err).NotTo(HaveOccurred())
	trusted, err := cli.GenerateKeyPair(t.Context(), t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	other, err := cli.GenerateKeyPair(t.Context(), t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	trustedPub, err := trusted.PublicKeyPEM()
	g.Expect(err).NotTo(HaveOccurred())

	reg := newTestRegistry(t)
	signed := reg.push(t, "team/app:signed", map[string]string{"a": "signed"})
	reg.push(t, "team/app:unsigned", map[string]string{"a": "unsigned"})
	byOther := reg.push(t, "team/app:other", map[string]string{"a": "other"})
	g.Expect(cli.Sign(t.Context(), reg.Ref("team/app@"+signed), trusted.PrivateKey, cosign.SignOptions{Registry: cosign.FromRegistry(reg.Registry)})).To(Succeed())
	g.Expect(cli.Sign(t.Context(), reg.Ref("team/app@"+byOther), other.PrivateKey, cosign.SignOptions{Registry: cosign.FromRegistry(reg.Registry)})).To(Succeed())

	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), reg.dockerConfigSecret(t, ns, "registry"))).To(Succeed())
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cosign"},
		Data:       map[string][]byte{"cosign.pub": trustedPub},
	})).To(Succeed())
	url := "oci://" + reg.Host() + "/team/app"
	withTag := func(tag string) func(*sourcev1.OCIRepository) {
		return func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Tag: tag}
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{Provider: "cosign", SecretRef: &meta.LocalObjectReference{Name: "cosign"}}
		}
	}
	good := ociRepo(ns, "signed", url, withTag("signed"))
	unsigned := ociRepo(ns, "unsigned", url, withTag("unsigned"))
	wrongKey := ociRepo(ns, "other", url, withTag("other"))
	for _, o := range []*sourcev1.OCIRepository{good, unsigned, wrongKey} {
		g.Expect(env.Client().Create(t.Context(), o)).To(Succeed())
	}

	got := waitOCI(t, good, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("signed@" + signed))
	g.Expect(got).To(matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionTrue).WithReason(meta.SucceededReason))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(HaveKeyWithValue("a", "signed"))

	for _, o := range []*sourcev1.OCIRepository{unsigned, wrongKey} {
		got := waitOCI(t, o, matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
		g.Expect(got).To(matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
		g.Expect(got.Status.Artifact).To(BeNil())
	}

	// The signed tag moves to content nobody signed: the verification
	// fails and the artifact stays the verified one.
	tampered := reg.push(t, "team/app:signed", map[string]string{"a": "tampered"})
	requestReconcile(t, good, "tampered")
	got = waitOCI(t, good, matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
	g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse))
	g.Expect(got.Status.Artifact.Revision).To(Equal("signed@" + signed))
	g.Expect(conditions.GetMessage(got, meta.SourceVerifiedCondition)).To(ContainSubstring(strings.TrimPrefix(tampered, "sha256:")))
}
