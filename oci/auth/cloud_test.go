package auth_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
)

func TestCloudOf(t *testing.T) {
	tests := map[string]auth.Cloud{
		"123456789012.dkr.ecr.us-east-1.amazonaws.com":             auth.CloudAWS,
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com:443":         auth.CloudAWS,
		"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com":    auth.CloudAWS,
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn":         auth.CloudAWS,
		"https://123456789012.DKR.ECR.us-east-1.amazonaws.com/v2/": auth.CloudAWS,
		"12345678901.dkr.ecr.us-east-1.amazonaws.com":              auth.CloudNone, // 11 digits
		"123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io":     auth.CloudNone,
		"public.ecr.aws":                    auth.CloudNone,
		"sluice.azurecr.io":                 auth.CloudAzure,
		"sluice.azurecr.cn":                 auth.CloudAzure,
		"sluice.azurecr.us":                 auth.CloudAzure,
		"sluice.westeurope.data.azurecr.io": auth.CloudAzure,
		"azurecr.io":                        auth.CloudNone,
		"sluice.azurecr.io.evil.com":        auth.CloudNone,
		"europe-west1-docker.pkg.dev":       auth.CloudGCP,
		"us-docker.pkg.dev":                 auth.CloudGCP,
		"gcr.io":                            auth.CloudGCP,
		"eu.gcr.io":                         auth.CloudGCP,
		"docker.pkg.dev":                    auth.CloudNone,
		"evilgcr.io":                        auth.CloudNone,
		"ghcr.io":                           auth.CloudNone,
		"docker.io":                         auth.CloudNone,
		"127.0.0.1:5000":                    auth.CloudNone,
		"":                                  auth.CloudNone,
	}
	for host, want := range tests {
		t.Run(host, func(t *testing.T) {
			NewWithT(t).Expect(auth.CloudOf(host)).To(Equal(want))
		})
	}
}

func TestParseECRHost(t *testing.T) {
	g := NewWithT(t)
	account, region, ok := auth.ParseECRHost("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")
	g.Expect(ok).To(BeTrue())
	g.Expect(account).To(Equal("123456789012"))
	g.Expect(region).To(Equal("us-gov-west-1"))
	_, region, ok = auth.ParseECRHost("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")
	g.Expect(ok).To(BeTrue())
	g.Expect(region).To(Equal("cn-north-1"))
	_, _, ok = auth.ParseECRHost("sluice.azurecr.io")
	g.Expect(ok).To(BeFalse())
}

func TestCloudString(t *testing.T) {
	g := NewWithT(t)
	g.Expect(auth.CloudNone.String()).To(Equal("none"))
	g.Expect(auth.CloudAWS.String()).To(Equal("aws"))
	g.Expect(auth.CloudAzure.String()).To(Equal("azure"))
	g.Expect(auth.CloudGCP.String()).To(Equal("gcp"))
	g.Expect(auth.Cloud(42).String()).To(Equal("Cloud(42)"))
}

func TestCredentialFormattingHidesPassword(t *testing.T) {
	g := NewWithT(t)
	c := auth.Credential{Username: "AWS", Password: "ecr-secret", ExpiresAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, form := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(form, c)
		g.Expect(out).NotTo(ContainSubstring("ecr-secret"))
		g.Expect(out).To(ContainSubstring("AWS"))
	}
	g.Expect(c.String()).To(Equal("{Username:AWS Password:[redacted] ExpiresAt:2026-01-02T03:04:05Z}"))
}

func TestLoginErrorRedacts(t *testing.T) {
	g := NewWithT(t)
	cause := fmt.Errorf("server said: token abc-secret-123 and abc-secret-123456 rejected: %w", auth.ErrUnexpectedResponse)
	err := auth.NewLoginError("gcp", "gcr.io", auth.StageIdentity, cause, "abc-secret-123", "", "abc-secret-123456")
	g.Expect(err.Error()).To(Equal("gcp login to gcr.io: get cloud identity: server said: token [redacted] and [redacted] rejected: unexpected token endpoint response"))
	g.Expect(err).To(MatchError(auth.ErrUnexpectedResponse))
	for _, form := range []string{"%v", "%+v", "%#v", "%s"} {
		g.Expect(fmt.Sprintf(form, err)).NotTo(ContainSubstring("abc-secret"))
	}
	g.Expect(auth.NewLoginError("aws", "r", auth.StageConfigure, nil).Error()).To(Equal("aws login to r: configure: <nil>"))
}

func TestErrorMessages(t *testing.T) {
	g := NewWithT(t)
	g.Expect((&auth.DockerConfigError{Source: "s", Err: auth.ErrInvalidDockerConfig}).Error()).To(Equal("parse docker config s: invalid docker config"))
	g.Expect((&auth.CredentialHelperError{Helper: "h", Registry: "r.io", Err: auth.ErrCredentialHelperFailed}).Error()).To(Equal(`credential helper "h" for r.io: credential helper failed`))
	g.Expect((&auth.SecretError{Key: "password", Err: auth.ErrMissingKey}).Error()).To(Equal(`read secret key "password": missing secret key`))
}
