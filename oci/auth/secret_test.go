package auth_test

import (
	"errors"
	"os"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
)

func TestFromSecretData(t *testing.T) {
	dockerJSON := []byte(`{"auths":{"ghcr.io":{"auth":"` + b64("gh:json") + `"}}}`)
	dockercfg := []byte(`{"quay.io":{"auth":"` + b64("quay:cfg") + `"}}`)
	tests := []struct {
		name string
		data map[string][]byte
		want map[string]*authn.AuthConfig
	}{
		{
			name: "dockerconfigjson",
			data: map[string][]byte{auth.KeyDockerConfigJSON: dockerJSON},
			want: map[string]*authn.AuthConfig{"ghcr.io/a": {Username: "gh", Password: "json"}, "quay.io/a": nil},
		},
		{
			name: "legacy dockercfg",
			data: map[string][]byte{auth.KeyDockerConfig: dockercfg},
			want: map[string]*authn.AuthConfig{"quay.io/a": {Username: "quay", Password: "cfg"}, "ghcr.io/a": nil},
		},
		{
			name: "username and password for any registry",
			data: map[string][]byte{auth.KeyUsername: []byte("u"), auth.KeyPassword: []byte("p"), "ca.crt": []byte("ignored")},
			want: map[string]*authn.AuthConfig{"ghcr.io/a": {Username: "u", Password: "p"}, "example.com:5000/b": {Username: "u", Password: "p"}},
		},
		{
			name: "bearer token",
			data: map[string][]byte{auth.KeyBearerToken: []byte("tok")},
			want: map[string]*authn.AuthConfig{"ghcr.io/a": {RegistryToken: "tok"}},
		},
		{
			name: "docker config first, then basic",
			data: map[string][]byte{auth.KeyDockerConfigJSON: dockerJSON, auth.KeyDockerConfig: dockercfg, auth.KeyUsername: []byte("u"), auth.KeyPassword: []byte("p")},
			want: map[string]*authn.AuthConfig{
				"ghcr.io/a":  {Username: "gh", Password: "json"},
				"quay.io/a":  {Username: "quay", Password: "cfg"},
				"other.io/a": {Username: "u", Password: "p"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			kc, err := auth.FromSecretData(tt.data)
			g.Expect(err).NotTo(HaveOccurred())
			for ref, want := range tt.want {
				got, err := resolve(t, kc, ref)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(got).To(Equal(want), ref)
			}
		})
	}
}

func TestFromSecretDataErrors(t *testing.T) {
	const secret = "very-secret-password"
	tests := []struct {
		name     string
		data     map[string][]byte
		key      string
		sentinel error
	}{
		{name: "empty", data: map[string][]byte{"ca.crt": []byte("x")}, sentinel: auth.ErrNoCredentials},
		{name: "nil", data: nil, sentinel: auth.ErrNoCredentials},
		{name: "password without username", data: map[string][]byte{auth.KeyPassword: []byte(secret)}, key: auth.KeyUsername, sentinel: auth.ErrMissingKey},
		{name: "username without password", data: map[string][]byte{auth.KeyUsername: []byte("u")}, key: auth.KeyPassword, sentinel: auth.ErrMissingKey},
		{name: "broken dockerconfigjson", data: map[string][]byte{auth.KeyDockerConfigJSON: []byte(`{"auths":{"r":{"password":"` + secret + `" oops`)}, key: auth.KeyDockerConfigJSON, sentinel: auth.ErrInvalidDockerConfig},
		{name: "broken dockercfg", data: map[string][]byte{auth.KeyDockerConfig: []byte(`["` + secret + `"]`)}, key: auth.KeyDockerConfig, sentinel: auth.ErrInvalidDockerConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := auth.FromSecretData(tt.data)
			t.Log(err)
			g.Expect(err).To(MatchError(tt.sentinel))
			g.Expect(err.Error()).NotTo(ContainSubstring(secret))
			if tt.key != "" {
				var se *auth.SecretError
				g.Expect(errors.As(err, &se)).To(BeTrue())
				g.Expect(se.Key).To(Equal(tt.key))
			}
		})
	}
}

func TestFromSecretDataNeverRunsHelpers(t *testing.T) {
	g := NewWithT(t)
	dir := helperScript(t, "evil", `touch "$0.ran"; printf '{"Username":"u","Secret":"s"}'`)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	kc, err := auth.FromSecretData(map[string][]byte{auth.KeyDockerConfigJSON: []byte(`{"credsStore":"evil","credHelpers":{"r.io":"evil"}}`)})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = resolve(t, kc, "r.io/a")
	g.Expect(err).To(MatchError(auth.ErrCredentialHelperNotAllowed))
	g.Expect(dir + "/docker-credential-evil.ran").NotTo(BeAnExistingFile())
}
