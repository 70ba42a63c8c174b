package aws_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/aws"
	"github.com/sluice-dev/sluice/oci/auth/internal/cloudtest"
)

const (
	roleARN  = "arn:aws:iam::123456789012:role/puller"
	ecrHost  = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
	oidcJWT  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Zmx1eCJ9.c2lnbmF0dXJl"
	noRegion = "123456789012.dkr.ecr.notes.example.com"
)

// env is a fixed environment for WithLookupEnv.
func env(vars map[string]string) aws.Option {
	return aws.WithLookupEnv(func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	})
}

// tokenFile writes an OIDC token file.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newFake starts the fake STS and ECR.
func newFake(t *testing.T) *cloudtest.AWS {
	t.Helper()
	f := cloudtest.NewAWS()
	t.Cleanup(f.Close)
	return f
}

// endpoints points the provider at the fake.
func endpoints(f *cloudtest.AWS) []aws.Option {
	return []aws.Option{aws.WithSTSEndpoint(f.STS.URL), aws.WithECREndpoint(f.ECR.URL)}
}

func TestLoginFromEnvironment(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	f.ExpiresAt = time.Now().Add(12 * time.Hour).Truncate(time.Second)
	p, err := aws.NewProvider(append(endpoints(f), env(map[string]string{
		aws.EnvRoleARN:              roleARN,
		aws.EnvWebIdentityTokenFile: tokenFile(t, oidcJWT),
		aws.EnvRegion:               "us-east-1",
		aws.EnvRoleSessionName:      "my-session",
	}))...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.Cloud()).To(Equal(auth.CloudAWS))
	g.Expect(p.ID()).To(Equal("aws:" + roleARN))

	cred, err := p.Login(t.Context(), ecrHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Username).To(Equal("AWS"))
	g.Expect(cred.Password).To(Equal("ecr-password"))
	g.Expect(cred.ExpiresAt.Equal(f.ExpiresAt)).To(BeTrue(), "expiry %s", cred.ExpiresAt)

	g.Expect(f.STSCalls()).To(Equal([]cloudtest.STSCall{{RoleARN: roleARN, RoleSessionName: "my-session", WebIdentityToken: oidcJWT}}))
	// The ECR call goes to the host's region, signed with STS's keys.
	g.Expect(f.ECRCalls()).To(Equal([]cloudtest.ECRCall{{AccessKeyID: f.AccessKeyID, Region: "eu-west-1", SignatureValid: true}}))
}

func TestLoginOptionsWinOverEnvironment(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	p, err := aws.NewProvider(append(endpoints(f),
		env(map[string]string{aws.EnvRoleARN: "arn:aws:iam::1:role/env", aws.EnvDefaultRegion: "ap-south-1"}),
		aws.WithRoleARN(roleARN),
		aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT)),
		aws.WithRoleSessionName("opt-session"),
	)...)
	g.Expect(err).NotTo(HaveOccurred())
	// A host routed to AWS that names no region uses the configured one.
	_, err = p.Login(t.Context(), "127.0.0.1:5000")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.STSCalls()[0].RoleARN).To(Equal(roleARN))
	g.Expect(f.STSCalls()[0].RoleSessionName).To(Equal("opt-session"))
	g.Expect(f.ECRCalls()[0].Region).To(Equal("ap-south-1"))
}

func TestLoginReadsRotatedToken(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	path := tokenFile(t, "first-token")
	p, err := aws.NewProvider(append(endpoints(f), env(nil), aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(path))...)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = p.Login(t.Context(), ecrHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(os.WriteFile(path, []byte("second-token"), 0o600)).To(Succeed())
	_, err = p.Login(t.Context(), ecrHost)
	g.Expect(err).NotTo(HaveOccurred())
	calls := f.STSCalls()
	g.Expect(calls).To(HaveLen(2))
	g.Expect(calls[0].WebIdentityToken).To(Equal("first-token"))
	g.Expect(calls[1].WebIdentityToken).To(Equal("second-token"))
	g.Expect(calls[0].RoleSessionName).To(Equal(aws.DefaultRoleSessionName))
}

func TestLoginErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent")
	tests := []struct {
		name     string
		opts     func(t *testing.T, f *cloudtest.AWS) []aws.Option
		registry string
		stage    string
		sentinel error
		apiCode  string
	}{
		{
			name: "no role ARN",
			opts: func(t *testing.T, _ *cloudtest.AWS) []aws.Option {
				return []aws.Option{aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT))}
			},
			registry: ecrHost, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured,
		},
		{
			name:     "no token file",
			opts:     func(*testing.T, *cloudtest.AWS) []aws.Option { return []aws.Option{aws.WithRoleARN(roleARN)} },
			registry: ecrHost, stage: auth.StageConfigure, sentinel: auth.ErrNotConfigured,
		},
		{
			name: "not ECR and no region",
			opts: func(t *testing.T, _ *cloudtest.AWS) []aws.Option {
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT))}
			},
			registry: noRegion, stage: auth.StageConfigure, sentinel: auth.ErrUnsupportedRegistry,
		},
		{
			name: "token file absent",
			opts: func(*testing.T, *cloudtest.AWS) []aws.Option {
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(missing)}
			},
			registry: ecrHost, stage: auth.StageReadToken, sentinel: os.ErrNotExist,
		},
		{
			name: "token file empty",
			opts: func(t *testing.T, _ *cloudtest.AWS) []aws.Option {
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(tokenFile(t, " "))}
			},
			registry: ecrHost, stage: auth.StageReadToken, sentinel: auth.ErrNotConfigured,
		},
		{
			name: "STS refuses the token",
			opts: func(t *testing.T, f *cloudtest.AWS) []aws.Option {
				f.STSError = "InvalidIdentityToken"
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT))}
			},
			registry: ecrHost, stage: auth.StageIdentity, apiCode: "InvalidIdentityToken",
		},
		{
			name: "ECR denies",
			opts: func(t *testing.T, f *cloudtest.AWS) []aws.Option {
				f.ECRError = "AccessDeniedException"
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT))}
			},
			registry: ecrHost, stage: auth.StageRegistryToken, apiCode: "AccessDeniedException",
		},
		{
			name: "ECR token not base64",
			opts: func(t *testing.T, f *cloudtest.AWS) []aws.Option {
				f.ECRToken = "not base64 " + f.SessionToken
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT))}
			},
			registry: ecrHost, stage: auth.StageRegistryToken, sentinel: auth.ErrUnexpectedResponse,
		},
		{
			name: "ECR token without colon",
			opts: func(t *testing.T, f *cloudtest.AWS) []aws.Option {
				f.ECRToken = "QVdTcGFzc3dvcmQ=" // "AWSpassword"
				return []aws.Option{aws.WithRoleARN(roleARN), aws.WithWebIdentityTokenFile(tokenFile(t, oidcJWT))}
			},
			registry: ecrHost, stage: auth.StageRegistryToken, sentinel: auth.ErrUnexpectedResponse,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			f := newFake(t)
			p, err := aws.NewProvider(append(append(endpoints(f), env(nil)), tt.opts(t, f)...)...)
			g.Expect(err).NotTo(HaveOccurred())
			_, err = p.Login(t.Context(), tt.registry)
			g.Expect(err).To(HaveOccurred())
			t.Log(err)
			var le *auth.LoginError
			g.Expect(errors.As(err, &le)).To(BeTrue(), "%T %v", err, err)
			g.Expect(le.Provider).To(Equal("aws"))
			g.Expect(le.Registry).To(Equal(tt.registry))
			g.Expect(le.Stage).To(Equal(tt.stage))
			if tt.sentinel != nil {
				g.Expect(err).To(MatchError(tt.sentinel))
			}
			if tt.apiCode != "" {
				var apiErr smithy.APIError
				g.Expect(errors.As(err, &apiErr)).To(BeTrue())
				g.Expect(apiErr.ErrorCode()).To(Equal(tt.apiCode))
			}
			// The fakes echo the token and session token in their error
			// messages; the login error must not.
			for _, s := range []string{oidcJWT, f.SecretAccessKey, f.SessionToken} {
				for _, form := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					g.Expect(form).NotTo(ContainSubstring(s))
				}
			}
		})
	}
}

func TestNewProviderInvalidOptions(t *testing.T) {
	for name, opt := range map[string]aws.Option{
		"nil lookup":       aws.WithLookupEnv(nil),
		"nil client":       aws.WithHTTPClient(nil),
		"bad STS endpoint": aws.WithSTSEndpoint("ftp://sts"),
		"bad ECR endpoint": aws.WithECREndpoint("::"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := aws.NewProvider(opt)
			NewWithT(t).Expect(err).To(MatchError(auth.ErrInvalidOption))
		})
	}
}

func TestLoginDefaultCredentialChain(t *testing.T) {
	g := NewWithT(t)
	f := newFake(t)
	// The SDK's chain reads the process environment: static keys, and no
	// shared files or instance metadata.
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", f.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", f.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", f.SessionToken)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	t.Setenv("AWS_ROLE_ARN", "")
	p, err := aws.NewProvider(env(nil), aws.WithDefaultCredentialChain(), aws.WithECREndpoint(f.ECR.URL), aws.WithSTSEndpoint(f.STS.URL))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID()).To(Equal("aws:default-chain"))
	cred, err := p.Login(t.Context(), ecrHost)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred.Password).To(Equal(f.RegistryPassword))
	g.Expect(f.STSCalls()).To(BeEmpty())
	g.Expect(f.ECRCalls()).To(Equal([]cloudtest.ECRCall{{AccessKeyID: f.AccessKeyID, Region: "eu-west-1", SignatureValid: true}}))

	// Without any credentials the chain fails at the identity stage.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	_, err = p.Login(t.Context(), ecrHost)
	t.Log(err)
	var le *auth.LoginError
	g.Expect(errors.As(err, &le)).To(BeTrue(), "%v", err)
	g.Expect(le.Stage).To(Equal(auth.StageIdentity))
}
