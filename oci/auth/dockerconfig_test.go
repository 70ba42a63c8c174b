package auth_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
)

// resolve resolves the registry of ref with kc and returns its AuthConfig,
// or nil for anonymous.
func resolve(t *testing.T, kc authn.Keychain, ref string) (*authn.AuthConfig, error) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	a, err := authn.Resolve(t.Context(), kc, r.Context())
	if err != nil {
		return nil, err
	}
	if a == authn.Anonymous {
		return nil, nil
	}
	return authn.Authorization(t.Context(), a)
}

// b64 is base64 of s.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDockerConfigResolve(t *testing.T) {
	cfg := fmt.Sprintf(`{
		"auths": {
			"https://index.docker.io/v1/": {"auth": %q},
			"ghcr.io": {"username": "gh-user", "password": "gh-pass"},
			"https://registry.example.com:5000/v2/": {"auth": %q},
			"identity.example.com": {"username": "<token>", "identitytoken": "refresh-123"},
			"bearer.example.com": {"registrytoken": "bearer-456"},
			"Mixed.Example.COM": {"auth": %q},
			"empty.example.com": {}
		}
	}`, b64("hub-user:hub:pass"), b64("port-user:port-pass"), b64("mixed:case"))
	kc, err := auth.ParseDockerConfig([]byte(cfg), "", auth.DockerConfigOptions{})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(kc.Registries()).To(Equal([]string{"bearer.example.com", "ghcr.io", "identity.example.com", "index.docker.io", "mixed.example.com", "registry.example.com:5000"}))

	tests := []struct {
		ref  string
		want *authn.AuthConfig
	}{
		{"alpine", &authn.AuthConfig{Username: "hub-user", Password: "hub:pass"}},
		{"docker.io/library/alpine:3", &authn.AuthConfig{Username: "hub-user", Password: "hub:pass"}},
		{"ghcr.io/org/app:v1", &authn.AuthConfig{Username: "gh-user", Password: "gh-pass"}},
		{"registry.example.com:5000/app", &authn.AuthConfig{Username: "port-user", Password: "port-pass"}},
		{"identity.example.com/app", &authn.AuthConfig{Username: "<token>", IdentityToken: "refresh-123"}},
		{"bearer.example.com/app", &authn.AuthConfig{RegistryToken: "bearer-456"}},
		{"mixed.example.com/app", &authn.AuthConfig{Username: "mixed", Password: "case"}},
		{"registry.example.com/app", nil}, // another port
		{"empty.example.com/app", nil},
		{"quay.io/app", nil},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			g := NewWithT(t)
			got, err := resolve(t, kc, tt.ref)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tt.want))
		})
	}
}

func TestDockerConfigAuthenticatorHidesSecrets(t *testing.T) {
	g := NewWithT(t)
	kc, err := auth.ParseDockerConfig([]byte(`{"auths":{"ghcr.io":{"username":"u","password":"hunter2"},"b.io":{"registrytoken":"tok-hunter3"}}}`), "", auth.DockerConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	for _, host := range []string{"ghcr.io", "b.io"} {
		a, err := kc.Resolve(mustRegistry(t, host))
		g.Expect(err).NotTo(HaveOccurred())
		for _, form := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(form, a)
			g.Expect(out).NotTo(ContainSubstring("hunter"))
			g.Expect(out).To(ContainSubstring("[redacted]"))
		}
	}
}

// mustRegistry parses a registry name.
func mustRegistry(t *testing.T, host string) name.Registry {
	t.Helper()
	r, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseDockerConfigErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := map[string]struct {
		data     string
		registry string
	}{
		"syntax error next to a secret": {data: `{"auths":{"r.io":{"password":"` + secret + `"` + ` x}}}`},
		"wrong type":                    {data: `{"auths":{"r.io":{"password":12345}}}`},
		"auths not an object":           {data: `{"auths":["` + secret + `"]}`},
		"auth not base64":               {data: `{"auths":{"r.io":{"auth":"` + secret + `!!"}}}`, registry: "r.io"},
		"auth without colon":            {data: `{"auths":{"r.io":{"auth":"` + b64(secret) + `"}}}`, registry: "r.io"},
		"not JSON":                      {data: secret},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := auth.ParseDockerConfig([]byte(tt.data), "config.json", auth.DockerConfigOptions{})
			t.Log(err)
			var dce *auth.DockerConfigError
			g.Expect(errors.As(err, &dce)).To(BeTrue(), "%v", err)
			g.Expect(err).To(MatchError(auth.ErrInvalidDockerConfig))
			g.Expect(dce.Source).To(Equal("config.json"))
			g.Expect(dce.Registry).To(Equal(tt.registry))
			g.Expect(err.Error()).NotTo(ContainSubstring(secret))
			g.Expect(err.Error()).NotTo(ContainSubstring(b64(secret)))
		})
	}
}

func TestLoadDockerConfig(t *testing.T) {
	g := NewWithT(t)
	path := writeFile(t, "config.json", `{"auths":{"ghcr.io":{"auth":"`+b64("u:p")+`"}}}`)
	kc, err := auth.LoadDockerConfig(t.Context(), path, auth.DockerConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	got, err := resolve(t, kc, "ghcr.io/a")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got.Password).To(Equal("p"))

	_, err = auth.LoadDockerConfig(t.Context(), filepath.Join(t.TempDir(), "absent.json"), auth.DockerConfigOptions{})
	g.Expect(err).To(MatchError(fs.ErrNotExist))

	bad := writeFile(t, "config.json", `{`)
	_, err = auth.LoadDockerConfig(t.Context(), bad, auth.DockerConfigOptions{})
	var dce *auth.DockerConfigError
	g.Expect(errors.As(err, &dce)).To(BeTrue())
	g.Expect(dce.Source).To(Equal(bad))

	ctx, cancel := contextCancelled(t)
	defer cancel()
	_, err = auth.LoadDockerConfig(ctx, path, auth.DockerConfigOptions{})
	g.Expect(err).To(MatchError(ctx.Err()))
}

// helperScript writes docker-credential-<name> into a new directory: a
// shell script running body, and returns the directory.
func helperScript(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "docker-credential-"+name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil { //nolint:gosec // the helper must be executable
		t.Fatal(err)
	}
	return dir
}

func TestDockerConfigCredentialHelpers(t *testing.T) {
	// The helper echoes the server URL it read on stdin into the user name.
	echo := `[ "$1" = get ] || exit 2
read url
printf '{"ServerURL":"%s","Username":"user@%s","Secret":"helper-secret"}' "$url" "$url"`
	cfg := []byte(`{"auths":{"https://index.docker.io/v1/":{},"plain.io":{"auth":"` + b64("plain:pass") + `"}},
		"credHelpers":{"helped.io":"echo","plain.io":"echo"},"credsStore":"echo"}`)

	t.Run("not allowed by default", func(t *testing.T) {
		g := NewWithT(t)
		kc, err := auth.ParseDockerConfig(cfg, "", auth.DockerConfigOptions{HelperDirs: []string{helperScript(t, "echo", "touch ran; exit 1")}})
		g.Expect(err).NotTo(HaveOccurred())
		for _, ref := range []string{"helped.io/a", "plain.io/a", "other.io/a"} {
			_, err := resolve(t, kc, ref)
			var che *auth.CredentialHelperError
			g.Expect(errors.As(err, &che)).To(BeTrue(), "%s: %v", ref, err)
			g.Expect(che.Helper).To(Equal("echo"))
			g.Expect(err).To(MatchError(auth.ErrCredentialHelperNotAllowed))
		}
	})

	t.Run("allowed", func(t *testing.T) {
		g := NewWithT(t)
		kc, err := auth.ParseDockerConfig(cfg, "", auth.DockerConfigOptions{AllowCredentialHelpers: true, HelperDirs: []string{helperScript(t, "echo", echo)}})
		g.Expect(err).NotTo(HaveOccurred())
		for ref, user := range map[string]string{
			"helped.io/a": "user@helped.io",
			"plain.io/a":  "user@plain.io", // credHelpers wins over auths
			"other.io/a":  "user@other.io", // credsStore covers the rest
			"alpine":      "user@https://index.docker.io/v1/",
		} {
			got, err := resolve(t, kc, ref)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(&authn.AuthConfig{Username: user, Password: "helper-secret"}), ref)
		}
	})

	t.Run("identity token", func(t *testing.T) {
		g := NewWithT(t)
		dir := helperScript(t, "tok", `printf '{"Username":"<token>","Secret":"refresh-token"}'`)
		kc, err := auth.ParseDockerConfig([]byte(`{"credsStore":"tok"}`), "", auth.DockerConfigOptions{AllowCredentialHelpers: true, HelperDirs: []string{dir}})
		g.Expect(err).NotTo(HaveOccurred())
		got, err := resolve(t, kc, "r.io/a")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal(&authn.AuthConfig{Username: "<token>", IdentityToken: "refresh-token"}))
	})

	t.Run("not found is anonymous", func(t *testing.T) {
		g := NewWithT(t)
		dir := helperScript(t, "none", `echo "credentials not found in native keychain"; exit 1`)
		kc, err := auth.ParseDockerConfig([]byte(`{"credsStore":"none"}`), "", auth.DockerConfigOptions{AllowCredentialHelpers: true, HelperDirs: []string{dir}})
		g.Expect(err).NotTo(HaveOccurred())
		got, err := resolve(t, kc, "r.io/a")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(BeNil())
	})

	failures := map[string]struct{ name, body string }{
		"exit status":     {"fail", `printf '{"Username":"u","Secret":"leaked-secret"}'; echo "keychain locked" >&2; exit 3`},
		"garbage output":  {"garbage", `echo "leaked-secret is not JSON"`},
		"missing program": {"absent", ""},
		"bad name":        {"../evil", ""},
	}
	for name, tt := range failures {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			dir := t.TempDir()
			if tt.body != "" {
				dir = helperScript(t, tt.name, tt.body)
			}
			kc, err := auth.ParseDockerConfig([]byte(`{"credsStore":"`+tt.name+`"}`), "", auth.DockerConfigOptions{AllowCredentialHelpers: true, HelperDirs: []string{dir}})
			g.Expect(err).NotTo(HaveOccurred())
			_, err = resolve(t, kc, "r.io/a")
			t.Log(err)
			var che *auth.CredentialHelperError
			g.Expect(errors.As(err, &che)).To(BeTrue(), "%v", err)
			g.Expect(che.Registry).To(Equal("r.io"))
			g.Expect(err).To(MatchError(auth.ErrCredentialHelperFailed))
			g.Expect(err.Error()).NotTo(ContainSubstring("leaked-secret"))
			if name == "exit status" {
				g.Expect(err.Error()).To(ContainSubstring("keychain locked"))
			}
		})
	}

	t.Run("PATH lookup", func(t *testing.T) {
		g := NewWithT(t)
		dir := helperScript(t, "onpath", `printf '{"Username":"path-user","Secret":"s"}'`)
		t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		kc, err := auth.ParseDockerConfig([]byte(`{"credHelpers":{"r.io":"onpath"}}`), "", auth.DockerConfigOptions{AllowCredentialHelpers: true})
		g.Expect(err).NotTo(HaveOccurred())
		got, err := resolve(t, kc, "r.io/a")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Username).To(Equal("path-user"))
	})

	t.Run("context bounds the helper", func(t *testing.T) {
		g := NewWithT(t)
		dir := helperScript(t, "slow", `exec sleep 30`)
		kc, err := auth.ParseDockerConfig([]byte(`{"credsStore":"slow"}`), "", auth.DockerConfigOptions{AllowCredentialHelpers: true, HelperDirs: []string{dir}})
		g.Expect(err).NotTo(HaveOccurred())
		ctx, cancel := contextCancelled(t)
		defer cancel()
		_, err = kc.ResolveContext(ctx, mustRegistry(t, "r.io"))
		g.Expect(err).To(MatchError(auth.ErrCredentialHelperFailed))
		g.Expect(err).To(MatchError(ctx.Err()))
		g.Expect(strings.Contains(err.Error(), "context canceled")).To(BeTrue())
	})
}
