package gcp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/gcp"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
)

const (
	garHost  = "europe-west1-docker.pkg.dev"
	audience = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/k8s"
	saEmail  = "puller@project.iam.gserviceaccount.com"
)

// noEnv is an empty environment.
func noEnv() gcp.Option {
	return gcp.WithLookupEnv(func(string) (string, bool) { return "", false })
}

// newFake starts the fake Google endpoints.
func newFake(t *testing.T) *cloudtest.GCP {
	t.Helper()
	f := cloudtest.NewGCP()
	t.Cleanup(f.Close)
	return f
}

// writeFile writes content to a file in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// federationConfig writes a credential configuration file whose subject
// token is in a file, with impersonation when impersonate is true.
func federationConfig(t *testing.T, f *cloudtest.GCP, impersonate bool) string {
	t.Helper()
	cfg := map[string]any{
		"type":               "external_account",
		"audience":           audience,
		"subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
		"token_url":          f.Server.URL + "/v1/token",
		"credential_source":  map[string]any{"file": writeFile(t, "token", f.SubjectToken+"\n"), "format": map[string]string{"type": "text"}},
	}
	if impersonate {
		cfg["service_account_impersonation_url"] = f.Server.URL + "/v1/projects/-/serviceAccounts/" + saEmail + ":generateAccessToken"
		cfg["service_account_impersonation"] = map[string]any{"token_lifetime_seconds": 1800}
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "credentials.json", string(data))
}

func TestLoginMetadata(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	host := strings.TrimPrefix(f.Server.URL, "http://")
	p, err := gcp.NewProvider(gcp.WithLookupEnv(func(k string) (string, bool) {
		if k == gcp.EnvMetadataHost {
			return host, true
		}
		return "", false
	}))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.Cloud()).To(Equal(auth.CloudGCP))
	g.Expect(p.ID()).To(Equal("gcp:metadata/default"))
	cred, err := p.Login(t.Context(), garHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Username).To(Equal("oauth2accesstoken"))
	g.Expect(cred.Password).To(Equal(f.MetadataToken))
	g.Expect(cred.ExpiresAt).To(BeTemporally("~", time.Now().Add(time.Hour), time.Minute))
	g.Expect(f.MetadataRequests()).To(Equal([]string{"default"}))
}

func TestLoginMetadataServiceAccount(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	p, err := gcp.NewProvider(noEnv(), gcp.WithMetadataEndpoint(f.Server.URL), gcp.WithMetadataServiceAccount(saEmail))
	g.Expect(err).NotTo(HaveOccurred())
	_, err = p.Login(t.Context(), "gcr.io")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.MetadataRequests()).To(Equal([]string{saEmail}))
}

func TestLoginFederation(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	path := federationConfig(t, f, false)
	p, err := gcp.NewProvider(gcp.WithLookupEnv(func(k string) (string, bool) {
		if k == gcp.EnvCredentials {
			return path, true
		}
		return "", false
	}), gcp.WithHTTPClient(f.Server.Client()))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID()).To(Equal("gcp:" + path))
	cred, err := p.Login(t.Context(), garHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Username).To(Equal("oauth2accesstoken"))
	g.Expect(cred.Password).To(Equal(f.STSToken))
	g.Expect(f.Exchanges()).To(Equal([]cloudtest.STSExchange{{
		GrantType:          "urn:ietf:params:oauth:grant-type:token-exchange",
		Audience:           audience,
		Scope:              gcp.Scope,
		RequestedTokenType: "urn:ietf:params:oauth:token-type:access_token",
		SubjectToken:       f.SubjectToken,
		SubjectTokenType:   "urn:ietf:params:oauth:token-type:jwt",
	}}))
	g.Expect(f.Impersonations()).To(BeEmpty())
	g.Expect(f.MetadataRequests()).To(BeEmpty())
}

func TestLoginFederationWithImpersonation(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	p, err := gcp.NewProvider(noEnv(), gcp.WithCredentialsFile(federationConfig(t, f, true)))
	g.Expect(err).NotTo(HaveOccurred())
	cred, err := p.Login(t.Context(), "us.gcr.io")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Password).To(Equal(f.ServiceAccountToken))
	g.Expect(cred.ExpiresAt).To(BeTemporally("~", time.Now().Add(time.Hour), time.Minute))
	g.Expect(f.Impersonations()).To(Equal([]cloudtest.Impersonation{{
		ServiceAccount: saEmail, Bearer: f.STSToken, Lifetime: "1800s", Scope: []string{gcp.Scope},
	}}))
}

func TestLoginFederationURLSource(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	cfg := fmt.Sprintf(`{"type":"external_account","audience":%q,"subject_token_type":"urn:ietf:params:oauth:token-type:id_token",
		"token_url":%q,"credential_source":{"url":%q,"headers":{"Authorization":"Bearer subject-source-secret"},
		"format":{"type":"json","subject_token_field_name":"id_token"}}}`, audience, f.Server.URL+"/v1/token", f.Server.URL+"/subject-token")
	p, err := gcp.NewProvider(noEnv(), gcp.WithCredentialsJSON([]byte(cfg)))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID()).To(Equal("gcp:json"))
	_, err = p.Login(t.Context(), garHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Exchanges()[0].SubjectToken).To(Equal(f.SubjectToken))
	g.Expect(f.Exchanges()[0].SubjectTokenType).To(Equal("urn:ietf:params:oauth:token-type:id_token"))
}

func TestLoginErrors(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(t *testing.T, f *cloudtest.GCP) []gcp.Option
		stage    string
		sentinel error
	}{
		{name: "metadata refuses", opts: func(_ *testing.T, f *cloudtest.GCP) []gcp.Option {
			f.MetadataStatus = http.StatusNotFound
			return []gcp.Option{gcp.WithMetadataEndpoint(f.Server.URL)}
		}, stage: auth.StageIdentity, sentinel: auth.ErrUnexpectedResponse},
		{name: "credential file absent", opts: func(t *testing.T, _ *cloudtest.GCP) []gcp.Option {
			return []gcp.Option{gcp.WithCredentialsFile(filepath.Join(t.TempDir(), "absent.json"))}
		}, stage: auth.StageConfigure, sentinel: os.ErrNotExist},
		{name: "credential file not JSON", opts: func(*testing.T, *cloudtest.GCP) []gcp.Option {
			return []gcp.Option{gcp.WithCredentialsJSON([]byte("{"))}
		}, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured},
		{name: "service account key", opts: func(*testing.T, *cloudtest.GCP) []gcp.Option {
			return []gcp.Option{gcp.WithCredentialsJSON([]byte(`{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----"}`))}
		}, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured},
		{name: "aws source", opts: func(*testing.T, *cloudtest.GCP) []gcp.Option {
			return []gcp.Option{gcp.WithCredentialsJSON([]byte(`{"type":"external_account","audience":"a","subject_token_type":"t","credential_source":{"environment_id":"aws1"}}`))}
		}, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured},
		{name: "subject token file absent", opts: func(t *testing.T, _ *cloudtest.GCP) []gcp.Option {
			cfg := fmt.Sprintf(`{"type":"external_account","audience":"a","subject_token_type":"t","credential_source":{"file":%q}}`, filepath.Join(t.TempDir(), "absent"))
			return []gcp.Option{gcp.WithCredentialsJSON([]byte(cfg))}
		}, stage: auth.StageReadToken, sentinel: os.ErrNotExist},
		{name: "STS refuses", opts: func(t *testing.T, f *cloudtest.GCP) []gcp.Option {
			f.STSError = "invalid_grant"
			return []gcp.Option{gcp.WithCredentialsFile(federationConfig(t, f, false))}
		}, stage: auth.StageIdentity, sentinel: auth.ErrUnexpectedResponse},
		{name: "impersonation denied", opts: func(t *testing.T, f *cloudtest.GCP) []gcp.Option {
			f.ImpersonationStatus = http.StatusForbidden
			return []gcp.Option{gcp.WithCredentialsFile(federationConfig(t, f, true))}
		}, stage: auth.StageImpersonate, sentinel: auth.ErrUnexpectedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			f := newFake(t)
			p, err := gcp.NewProvider(append([]gcp.Option{noEnv()}, tt.opts(t, f)...)...)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = p.Login(t.Context(), garHost)
			t.Log(err)
			var le *auth.LoginError
			g.Expect(errors.As(err, &le)).To(BeTrue(), "%T %v", err, err)
			g.Expect(le.Provider).To(Equal("gcp"))
			g.Expect(le.Registry).To(Equal(garHost))
			g.Expect(le.Stage).To(Equal(tt.stage), "%v", err)
			g.Expect(err).To(MatchError(tt.sentinel))
			// The fakes quote the subject and bearer tokens in their errors.
			for _, s := range []string{f.SubjectToken, f.STSToken, "PRIVATE KEY"} {
				for _, form := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					g.Expect(form).NotTo(ContainSubstring(s))
				}
			}
		})
	}
}

func TestNewProviderInvalidOptions(t *testing.T) {
	for name, opt := range map[string]gcp.Option{
		"nil lookup":   gcp.WithLookupEnv(nil),
		"nil client":   gcp.WithHTTPClient(nil),
		"bad metadata": gcp.WithMetadataEndpoint("metadata.google.internal"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gcp.NewProvider(noEnv(), opt)
			NewWithT(t).Expect(err).To(MatchError(auth.ErrInvalidOption))
		})
	}
}
