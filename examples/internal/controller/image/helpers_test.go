package image_test

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/registry"
)

const (
	waitTimeout = 45 * time.Second
	poll        = 200 * time.Millisecond
)

// newRegistry starts a plain-HTTP registry for t.
func newRegistry(t *testing.T, opts ...registry.Option) *registry.Registry {
	t.Helper()
	reg, err := registry.New(t.Context(), opts...)
	if err != nil {
		t.Fatalf("start registry: %v", err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	return reg
}

// pushTags pushes a small random image under each tag of repo.
func pushTags(t *testing.T, reg *registry.Registry, repo string, tags ...string) {
	t.Helper()
	ropts := []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(reg.Transport())}
	if c := reg.Credentials(); c.Username != "" {
		ropts = append(ropts, remote.WithAuth(&authn.Basic{Username: c.Username, Password: c.Password}))
	}
	for _, tag := range tags {
		ref, err := name.NewTag(reg.Ref(repo+":"+tag), name.Insecure)
		if err != nil {
			t.Fatalf("tag %s: %v", tag, err)
		}
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatalf("random image: %v", err)
		}
		if err := remote.Write(ref, img, ropts...); err != nil {
			t.Fatalf("push %s: %v", ref, err)
		}
	}
}

// newNamespace creates a namespace for t.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns, err := env.CreateNamespace(t.Context(), "image-")
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns
}

// requestReconcile sets a new reconcile request token on obj and returns
// it.
func requestReconcile(t *testing.T, obj client.Object) string {
	t.Helper()
	g := NewWithT(t)
	token := strconv.FormatInt(time.Now().UnixNano(), 10)
	g.Eventually(func() error {
		if err := k8s.Get(t.Context(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[meta.ReconcileRequestAnnotation] = token
		obj.SetAnnotations(a)
		return k8s.Update(t.Context(), obj)
	}).WithTimeout(waitTimeout).Should(Succeed())
	return token
}

// dockerConfigSecret returns a kubernetes.io/dockerconfigjson Secret for
// the registry's user.
func dockerConfigSecret(ns, secretName string, reg *registry.Registry) *corev1.Secret {
	c := reg.Credentials()
	cfg := map[string]any{"auths": map[string]any{reg.Host(): map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password)),
	}}}
	b, _ := json.Marshal(cfg)
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: b},
	}
}

// settled checks that obj follows kstatus for its current generation.
func settled(g Gomega, obj meta.ObjectWithConditions) {
	g.Expect(conditions.CheckKstatus(obj)).To(Succeed())
}
