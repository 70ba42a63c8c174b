package image_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/image"
	"github.com/sluice-dev/sluice/testenv/matchers"
	"github.com/sluice-dev/sluice/testenv/registry"
)

func newImageRepository(ns, objName, image string) *imagev1.ImageRepository {
	return &imagev1.ImageRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: objName},
		Spec: imagev1.ImageRepositorySpec{
			Image:    image,
			Interval: metav1.Duration{Duration: time.Hour},
			Insecure: true,
		},
	}
}

func TestImageRepositoryScansTags(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	reg := newRegistry(t)
	pushTags(t, reg, "team/app", "v1.0.0", "v1.1.0", "latest", "sha256-"+sixtyFourZeros+".sig")
	ns := newNamespace(t)

	repo := newImageRepository(ns, "app", reg.Host()+"/team/app")
	repo.Spec.ExclusionList = []string{"^latest$"}
	g.Expect(k8s.Create(ctx, repo)).To(Succeed())

	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo).To(matchers.BeReady().ForCurrentGeneration())
		settled(g, repo)
		g.Expect(repo.Status.ObservedGeneration).To(Equal(repo.Generation))
		g.Expect(repo.Status.CanonicalImageName).To(Equal(reg.Host() + "/team/app"))
		g.Expect(repo.Status.LastScanResult).NotTo(BeNil())
		g.Expect(repo.Status.LastScanResult.TagCount).To(Equal(2))
		g.Expect(repo.Status.LastScanResult.LatestTags).To(Equal([]string{"v1.1.0", "v1.0.0"}))
		g.Expect(repo.Status.ObservedExclusionList).To(Equal([]string{"^latest$"}))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	// A new tag shows after a reconcile request.
	pushTags(t, reg, "team/app", "v1.2.0")
	token := requestReconcile(t, repo)
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo.Status.LastHandledReconcileAt).To(Equal(token))
		g.Expect(repo.Status.LastScanResult.TagCount).To(Equal(3))
		g.Expect(repo.Status.LastScanResult.LatestTags[0]).To(Equal("v1.2.0"))
		settled(g, repo)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}

const sixtyFourZeros = "0000000000000000000000000000000000000000000000000000000000000000"

func TestImageRepositoryAuthenticates(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	reg := newRegistry(t, registry.WithUser("bot", "s3cret"))
	pushTags(t, reg, "private/app", "1", "2")
	ns := newNamespace(t)

	repo := newImageRepository(ns, "private", reg.Host()+"/private/app")
	g.Expect(k8s.Create(ctx, repo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.AuthenticationFailedReason))
		g.Expect(repo).NotTo(matchers.BeStalled())
		settled(g, repo)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	g.Expect(repo.Status.LastScanResult).To(BeNil())

	g.Expect(k8s.Create(ctx, dockerConfigSecret(ns, "registry-auth", reg))).To(Succeed())
	g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	repo.Spec.SecretRef = &meta.LocalObjectReference{Name: "registry-auth"}
	g.Expect(k8s.Update(ctx, repo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(repo.Status.LastScanResult).NotTo(BeNil())
		g.Expect(repo.Status.LastScanResult.TagCount).To(Equal(2))
		settled(g, repo)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}

func TestImageRepositoryInvalidSpecStalls(t *testing.T) {
	needManager(t)
	ctx := t.Context()
	ns := newNamespace(t)
	tests := []struct {
		name    string
		mutate  func(*imagev1.ImageRepository)
		reason  string
		message string
	}{
		{
			name:    "exclusion regexp",
			mutate:  func(r *imagev1.ImageRepository) { r.Spec.ExclusionList = []string{"("} },
			reason:  meta.InvalidConfigReason,
			message: `compile exclusion "("`,
		},
		{
			name:    "cloud provider without keychain",
			mutate:  func(r *imagev1.ImageRepository) { r.Spec.Provider = imagev1.ImageProviderAWS },
			reason:  meta.InvalidConfigReason,
			message: "no cloud keychain",
		},
		{
			name:    "image name",
			mutate:  func(r *imagev1.ImageRepository) { r.Spec.Image = "Registry.local/UPPER" },
			reason:  meta.InvalidConfigReason,
			message: "parse image",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			repo := newImageRepository(ns, "bad-"+string(rune('a'+i)), "127.0.0.1:1/team/app")
			tt.mutate(repo)
			g.Expect(k8s.Create(ctx, repo)).To(Succeed())
			g.Eventually(func(g Gomega) {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
				g.Expect(repo).To(matchers.BeStalled().WithReason(tt.reason).WithMessage(tt.message))
				g.Expect(repo).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(tt.reason).ForCurrentGeneration())
				settled(g, repo)
			}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
		})
	}
}

func TestImageRepositoryTrustsCertSecret(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	reg := newRegistry(t, registry.WithTLS())
	pushTags(t, reg, "tls/app", "1.0.0")
	ns := newNamespace(t)

	repo := newImageRepository(ns, "tls", reg.Host()+"/tls/app")
	repo.Spec.Insecure = false
	g.Expect(k8s.Create(ctx, repo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
			WithReason(image.ScanFailedReason).WithMessage("certificate").ForCurrentGeneration())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	g.Expect(k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "registry-ca"},
		Data:       map[string][]byte{"ca.crt": reg.CACertPEM()},
	})).To(Succeed())
	g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	repo.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "registry-ca"}
	g.Expect(k8s.Update(ctx, repo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(repo.Status.LastScanResult).NotTo(BeNil())
		g.Expect(repo.Status.LastScanResult.TagCount).To(Equal(1))
		settled(g, repo)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}
