package source

import (
	"errors"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/runtime/flags"
)

// stalledReason returns the reason of a stalled failure, "" otherwise.
func stalledReason(err error) string {
	var f *failure
	if errors.As(err, &f) && f.stalled {
		return f.reason
	}
	return ""
}

func TestInsecureHTTPPolicy(t *testing.T) {
	g := NewWithT(t)
	gitObj := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "app"},
		Spec:       sourcev1.GitRepositorySpec{URL: "http://127.0.0.1:1/app.git"},
	}
	_, err := (&GitRepositoryReconciler{}).reconcileArtifact(t.Context(), gitObj)
	g.Expect(stalledReason(err)).To(Equal(meta.InsecureConnectionsDisallowedReason))
	g.Expect(err).To(MatchError(flags.ErrInsecureHTTP))

	ociObj := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "app"},
		Spec:       sourcev1.OCIRepositorySpec{URL: "oci://127.0.0.1:1/app", Insecure: true},
	}
	_, _, err = (&OCIRepositoryReconciler{}).repository(ociObj)
	g.Expect(stalledReason(err)).To(Equal(meta.InsecureConnectionsDisallowedReason))

	allowed := &OCIRepositoryReconciler{InsecureHTTP: flags.InsecureHTTPOptions{Allow: true}}
	repo, nameOpts, err := allowed.repository(ociObj)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(repo).To(Equal("127.0.0.1:1/app"))
	g.Expect(nameOpts).To(HaveLen(1))
}

func TestCloudProvidersAreWired(t *testing.T) {
	hosts := map[sourcev1.OCIProvider]string{
		sourcev1.OCIProviderAWS:   "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
		sourcev1.OCIProviderAzure: "team.azurecr.io",
		sourcev1.OCIProviderGCP:   "europe-docker.pkg.dev",
	}
	clouds := map[sourcev1.OCIProvider]auth.Cloud{
		sourcev1.OCIProviderAWS: auth.CloudAWS, sourcev1.OCIProviderAzure: auth.CloudAzure, sourcev1.OCIProviderGCP: auth.CloudGCP,
	}
	r := &OCIRepositoryReconciler{}
	for provider, host := range hosts {
		t.Run(string(provider), func(t *testing.T) {
			g := NewWithT(t)
			kc, err := r.cloudKeychain(provider)
			g.Expect(err).NotTo(HaveOccurred())
			p, ok := kc.ProviderFor(host)
			g.Expect(ok).To(BeTrue())
			g.Expect(p.Cloud()).To(Equal(clouds[provider]))
			for other, otherHost := range hosts {
				if other != provider {
					_, ok := kc.ProviderFor(otherHost)
					g.Expect(ok).To(BeFalse(), "%s keychain must not log in to %s", provider, otherHost)
				}
			}
			// Through the spec: a cloud provider gives a keychain even
			// without a Secret.
			obj := &sourcev1.OCIRepository{Spec: sourcev1.OCIRepositorySpec{Provider: provider}}
			chain, err := r.keychain(t.Context(), obj)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(chain).NotTo(BeNil())
		})
	}
	g := NewWithT(t)
	chain, err := r.keychain(t.Context(), &sourcev1.OCIRepository{Spec: sourcev1.OCIRepositorySpec{Provider: sourcev1.OCIProviderGeneric}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(chain).To(BeNil(), "generic without a Secret is anonymous")
}

func TestClassifyErrors(t *testing.T) {
	g := NewWithT(t)
	g.Expect(stalledReason(storeFailure(fmt.Errorf("store: %w", archive.ErrInvalidPattern)))).To(Equal(meta.InvalidConfigReason))
	var f *failure
	g.Expect(errors.As(storeFailure(errors.New("disk full")), &f)).To(BeTrue())
	g.Expect(f.stalled).To(BeFalse())
	g.Expect(f.condition).To(Equal(meta.ArtifactInStorageCondition))
}
