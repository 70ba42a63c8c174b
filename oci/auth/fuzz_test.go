package auth_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/oci/auth"
)

// FuzzParseDockerConfig checks that parsing never panics, and that an
// error never quotes a password planted in the input.
func FuzzParseDockerConfig(f *testing.F) {
	const secret = "Pl4nted-Secret"
	f.Add([]byte(`{"auths":{"ghcr.io":{"auth":"dTpw"}}}`))
	f.Add([]byte(`{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p"}},"credsStore":"desktop"}`))
	f.Add([]byte(`{"auths":{"r":{"auth":"!!"}}}`))
	f.Add([]byte(`{"credHelpers":{"r.io":"ecr-login"}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		planted := strings.ReplaceAll(string(data), "SECRET", secret)
		planted = strings.ReplaceAll(planted, "B64", base64.StdEncoding.EncodeToString([]byte(secret)))
		cfg, err := auth.ParseDockerConfig([]byte(planted), "", auth.DockerConfigOptions{})
		if err != nil {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error quotes the planted secret: %v", err)
			}
			return
		}
		for _, host := range cfg.Registries() {
			if strings.Contains(host, secret) && !strings.Contains(planted, `"`+host) {
				t.Fatalf("registry %q not from a key", host)
			}
		}
	})
}

// FuzzCloudOf checks that host classification never panics and that every
// AWS host yields an account and region.
func FuzzCloudOf(f *testing.F) {
	for _, s := range []string{"123456789012.dkr.ecr.us-east-1.amazonaws.com", "x.azurecr.io", "eu.gcr.io", "us-docker.pkg.dev", "https://a/b", "[::1]:5000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		c := auth.CloudOf(host)
		account, region, ok := auth.ParseECRHost(host)
		if (c == auth.CloudAWS) != ok {
			t.Fatalf("CloudOf(%q) = %s but ParseECRHost ok = %v", host, c, ok)
		}
		if ok && (len(account) != 12 || region == "") {
			t.Fatalf("ParseECRHost(%q) = %q, %q", host, account, region)
		}
	})
}
