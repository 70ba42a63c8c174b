package source_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv/matchers"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// newTLSRegistry starts a registry over HTTPS, with its own CA and
// authentication, and a client that trusts it.
func newTLSRegistry(t *testing.T) *testRegistry {
	t.Helper()
	reg, err := registry.New(t.Context(), registry.WithTLS(), registry.WithUser("puller", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	creds := reg.Credentials()
	c, err := oci.New(oci.WithTransport(reg.Transport()), oci.WithAuth(auth.Basic(creds.Username, creds.Password)))
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{Registry: reg, client: c}
}

func TestOCIRepositoryTrustsTheCertSecretCA(t *testing.T) {
	g := NewWithT(t)
	reg := newTLSRegistry(t)
	g.Expect(reg.URL()).To(HavePrefix("https://"))
	digest := reg.push(t, "team/app:v1", map[string]string{"app.yaml": "tls: true\n"})
	other := newTLSRegistry(t) // its CA did not sign reg's certificate

	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), reg.dockerConfigSecret(t, ns, "registry"))).To(Succeed())
	secrets := map[string]map[string][]byte{
		"ca":        {"ca.crt": reg.CACertPEM()},
		"wrong-ca":  {"ca.crt": other.CACertPEM()},
		"not-pem":   {"ca.crt": []byte("not a certificate")},
		"half-pair": {"ca.crt": reg.CACertPEM(), "tls.crt": reg.CACertPEM()},
	}
	for name, data := range secrets {
		g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data,
		})).To(Succeed())
	}
	url := "oci://" + reg.Host() + "/team/app"
	overTLS := func(certSecret string) func(*sourcev1.OCIRepository) {
		return func(o *sourcev1.OCIRepository) {
			o.Spec.Insecure = false
			o.Spec.Reference = &sourcev1.OCIRepositoryReference{Tag: "v1"}
			if certSecret != "" {
				o.Spec.CertSecretRef = &meta.LocalObjectReference{Name: certSecret}
			}
		}
	}
	trusted := ociRepo(ns, "ca", url, overTLS("ca"))
	tests := []struct {
		obj     *sourcev1.OCIRepository
		stalled bool
		reason  string
		message string
	}{
		{ociRepo(ns, "no-cert-secret", url, overTLS("")), false, meta.FailedReason, "x509: certificate signed by unknown authority"},
		{ociRepo(ns, "wrong-ca", url, overTLS("wrong-ca")), false, meta.FailedReason, "x509: certificate signed by unknown authority"},
		{ociRepo(ns, "missing-cert-secret", url, overTLS("absent")), false, meta.InvalidConfigReason, "absent not found"},
		{ociRepo(ns, "not-pem", url, overTLS("not-pem")), true, meta.InvalidConfigReason, "ca.crt holds no PEM certificate"},
		{ociRepo(ns, "half-pair", url, overTLS("half-pair")), true, meta.InvalidConfigReason, "tls.crt and tls.key go together"},
	}
	g.Expect(env.Client().Create(t.Context(), trusted)).To(Succeed())
	deleteOnCleanup(t, trusted)
	for _, tt := range tests {
		g.Expect(env.Client().Create(t.Context(), tt.obj)).To(Succeed(), tt.obj.Name)
		deleteOnCleanup(t, tt.obj)
	}

	got := waitOCI(t, trusted, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("v1@" + digest))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{"app.yaml": "tls: true\n"}))

	for _, tt := range tests {
		t.Run(tt.obj.Name, func(t *testing.T) {
			g := NewWithT(t)
			got := waitOCI(t, tt.obj, matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
				WithReason(tt.reason).WithMessage(tt.message))
			if tt.stalled {
				g.Expect(got).To(matchers.BeStalled().WithReason(tt.reason))
			} else {
				g.Expect(got).To(matchers.BeReconciling().WithReason(meta.ProgressingWithRetryReason))
				g.Expect(got).To(matchers.HaveCondition(meta.FetchFailedCondition, metav1.ConditionTrue).WithReason(tt.reason))
			}
			g.Expect(got.Status.Artifact).To(BeNil())
		})
	}
}

func TestOCIRepositoryRefusesPlainHTTPBeforeAnyRequest(t *testing.T) {
	g := NewWithT(t)
	var requests atomic.Int64
	reg, err := registry.New(t.Context(), registry.WithRequestHook(func(*http.Request) { requests.Add(1) }))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })

	ns := newNamespace(t)
	obj := ociRepo(ns, "plain-http", "oci://"+reg.Host()+"/team/app", func(o *sourcev1.OCIRepository) {
		o.Spec.SecretRef = nil
		o.Spec.Suspend = true // see unsuspended
	})
	g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())
	deleteOnCleanup(t, obj)

	r := &source.OCIRepositoryReconciler{Client: unsuspended{env.Client()}, Storage: store, InsecureHTTP: flags.InsecureHTTPOptions{Allow: false}}
	res, err := reconcileDirectly(t, r, obj)
	g.Expect(err).NotTo(HaveOccurred(), "stalled: not retried with backoff")
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", time.Second*9/10), "looked at again at the interval")

	got := &sourcev1.OCIRepository{}
	g.Expect(env.Client().Get(t.Context(), objectKey(obj), got)).To(Succeed())
	g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
		WithReason(meta.InsecureConnectionsDisallowedReason).WithMessage("spec.insecure").ForCurrentGeneration())
	g.Expect(got).To(matchers.BeStalled().WithReason(meta.InsecureConnectionsDisallowedReason))
	g.Expect(conditions.Has(got, meta.ReconcilingCondition)).To(BeFalse())
	g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
	g.Expect(conditions.CheckKstatus(got, meta.FetchFailedCondition)).To(Succeed())
	g.Expect(got.Status.Artifact).To(BeNil())
	g.Expect(requests.Load()).To(BeZero(), "the refusal comes before any request")
}
