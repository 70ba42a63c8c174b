package auth_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/aws"
	"github.com/sluice-dev/sluice/oci/auth/azure"
	"github.com/sluice-dev/sluice/oci/auth/gcp"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// Passwords of the registry's htpasswd users: each cloud's fake hands out
// its user's password as the registry credential.
const (
	dockerUser, dockerPassword = "sluice", "docker-config-password"
	awsPassword                = "ecr-password-from-fake-ecr"
	acrPassword                = "acr-refresh-token-from-fake-exchange"
	gcpPassword                = "ya29.gcp-token-from-fake-metadata"
)

// newRegistry starts a TLS registry with one htpasswd user per flow.
func newRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := registry.New(t.Context(), registry.WithTLS(),
		registry.WithUser(dockerUser, dockerPassword),
		registry.WithUser(aws.Username, awsPassword),
		registry.WithUser(azure.Username, acrPassword),
		registry.WithUser(gcp.Username, gcpPassword),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	return reg
}

// roundTrip pushes a random image with keychain and pulls it back,
// failing the test if the digests differ.
func roundTrip(t *testing.T, reg *registry.Registry, repo string, keychain authn.Keychain) error {
	t.Helper()
	ref, err := name.NewTag(reg.Ref(repo))
	if err != nil {
		t.Fatal(err)
	}
	opts := []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(reg.Transport()), remote.WithAuthFromKeychain(keychain)}
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return err
	}
	pulled, err := remote.Image(ref, opts...)
	if err != nil {
		return err
	}
	want, _ := img.Digest()
	got, err := pulled.Digest()
	if err != nil {
		return err
	}
	if got != want {
		t.Fatalf("pulled %s, pushed %s", got, want)
	}
	return nil
}

// isUnauthorized reports whether err is the registry's 401.
func isUnauthorized(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusUnauthorized
}

func TestDockerConfigAgainstRegistry(t *testing.T) {
	g := NewWithT(t)
	reg := newRegistry(t)
	basic := base64.StdEncoding.EncodeToString([]byte(dockerUser + ":" + dockerPassword))
	cfg, err := auth.ParseDockerConfig([]byte(fmt.Sprintf(`{"auths":{"https://%s/v2/":{"auth":%q}}}`, reg.Host(), basic)), "", auth.DockerConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(roundTrip(t, reg, "team/app:v1", cfg)).To(Succeed())

	// Without an entry for the registry the keychain is anonymous, and the
	// registry refuses.
	other, err := auth.ParseDockerConfig([]byte(fmt.Sprintf(`{"auths":{"ghcr.io":{"auth":%q}}}`, basic)), "", auth.DockerConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(isUnauthorized(roundTrip(t, reg, "team/app:v2", other))).To(BeTrue())

	// A wrong password is refused too.
	wrong := auth.ForRegistry(reg.Host(), auth.Basic(dockerUser, "wrong"))
	g.Expect(isUnauthorized(roundTrip(t, reg, "team/app:v3", wrong))).To(BeTrue())
}

func TestSecretDataAgainstRegistry(t *testing.T) {
	reg := newRegistry(t)
	for name, data := range map[string]map[string][]byte{
		"dockerconfigjson": {auth.KeyDockerConfigJSON: fmt.Appendf(nil, `{"auths":{%q:{"username":%q,"password":%q}}}`, reg.Host(), dockerUser, dockerPassword)},
		"username":         {auth.KeyUsername: []byte(dockerUser), auth.KeyPassword: []byte(dockerPassword), "ca.crt": reg.CACertPEM()},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			kc, err := auth.FromSecretData(data)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(roundTrip(t, reg, "secret/"+name+":v1", kc)).To(Succeed())
		})
	}
}

func TestCloudLoginAgainstRegistry(t *testing.T) {
	reg := newRegistry(t)

	t.Run("aws", func(t *testing.T) {
		g := NewWithT(t)
		f := cloudtest.NewAWS()
		t.Cleanup(f.Close)
		f.RegistryPassword = awsPassword
		p, err := aws.NewProvider(
			aws.WithLookupEnv(func(string) (string, bool) { return "", false }),
			aws.WithRegion("us-east-1"),
			aws.WithRoleARN("arn:aws:iam::123456789012:role/puller"),
			aws.WithWebIdentityTokenFile(writeFile(t, "token", "oidc-token")),
			aws.WithSTSEndpoint(f.STS.URL), aws.WithECREndpoint(f.ECR.URL),
		)
		g.Expect(err).NotTo(HaveOccurred())
		kc, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithHost(reg.Host(), auth.CloudAWS))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(roundTrip(t, reg, "cloud/aws:v1", kc)).To(Succeed())
		g.Expect(roundTrip(t, reg, "cloud/aws:v2", kc)).To(Succeed())
		// One login served both round trips: the credential is cached.
		g.Expect(f.STSCalls()).To(HaveLen(1))
		g.Expect(f.ECRCalls()).To(HaveLen(1))
	})

	t.Run("azure", func(t *testing.T) {
		g := NewWithT(t)
		f := cloudtest.NewAzure()
		t.Cleanup(f.Close)
		f.RefreshToken = acrPassword
		p, err := azure.NewProvider(
			azure.WithLookupEnv(func(string) (string, bool) { return "", false }),
			azure.WithClientID(f.ClientID), azure.WithTenantID(f.Tenant),
			azure.WithFederatedTokenFile(writeFile(t, "token", "federated-token")),
			azure.WithAuthorityHost(f.AAD.URL), azure.WithoutInstanceDiscovery(),
			azure.WithExchangeEndpoint(f.ACR.URL), azure.WithHTTPClient(f.Client()),
		)
		g.Expect(err).NotTo(HaveOccurred())
		// The Azure keychain sits behind a docker config that has nothing
		// for this registry.
		cfg, err := auth.ParseDockerConfig([]byte(`{"auths":{"ghcr.io":{"auth":"dTpw"}}}`), "", auth.DockerConfigOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		cloud, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithHost(reg.Host(), auth.CloudAzure))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(roundTrip(t, reg, "cloud/azure:v1", auth.Chain(cfg, cloud))).To(Succeed())
		g.Expect(f.Exchanges()).To(HaveLen(1))
		g.Expect(f.Exchanges()[0].Service).To(Equal(reg.Host()))
	})

	t.Run("gcp", func(t *testing.T) {
		g := NewWithT(t)
		f := cloudtest.NewGCP()
		t.Cleanup(f.Close)
		f.MetadataToken = gcpPassword
		p, err := gcp.NewProvider(
			gcp.WithLookupEnv(func(string) (string, bool) { return "", false }),
			gcp.WithMetadataEndpoint(f.Server.URL),
		)
		g.Expect(err).NotTo(HaveOccurred())
		kc, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithHost(reg.Host(), auth.CloudGCP))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(roundTrip(t, reg, "cloud/gcp:v1", kc)).To(Succeed())
		g.Expect(f.MetadataRequests()).To(HaveLen(1))
	})

	t.Run("wrong cloud password is refused", func(t *testing.T) {
		g := NewWithT(t)
		f := cloudtest.NewGCP()
		t.Cleanup(f.Close)
		f.MetadataToken = "not-the-registry-password"
		p, err := gcp.NewProvider(gcp.WithLookupEnv(func(string) (string, bool) { return "", false }), gcp.WithMetadataEndpoint(f.Server.URL))
		g.Expect(err).NotTo(HaveOccurred())
		kc, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithHost(reg.Host(), auth.CloudGCP))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(isUnauthorized(roundTrip(t, reg, "cloud/gcp:v2", kc))).To(BeTrue())
	})

	t.Run("failed login stops the push", func(t *testing.T) {
		g := NewWithT(t)
		f := cloudtest.NewGCP()
		t.Cleanup(f.Close)
		f.MetadataStatus = http.StatusInternalServerError
		p, err := gcp.NewProvider(gcp.WithLookupEnv(func(string) (string, bool) { return "", false }), gcp.WithMetadataEndpoint(f.Server.URL))
		g.Expect(err).NotTo(HaveOccurred())
		kc, err := auth.NewCloudKeychain([]auth.Provider{p}, auth.WithHost(reg.Host(), auth.CloudGCP))
		g.Expect(err).NotTo(HaveOccurred())
		err = roundTrip(t, reg, "cloud/gcp:v3", kc)
		var le *auth.LoginError
		g.Expect(errors.As(err, &le)).To(BeTrue(), "%v", err)
		g.Expect(le.Stage).To(Equal(auth.StageIdentity))
	})
}
