package auth

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Secret data keys FromSecretData reads. Other keys (such as "ca.crt") are
// ignored.
const (
	// KeyDockerConfigJSON holds a docker config.json, the data key of a
	// Kubernetes Secret of type kubernetes.io/dockerconfigjson.
	KeyDockerConfigJSON = ".dockerconfigjson"
	// KeyDockerConfig holds the legacy ".dockercfg" form (the "auths"
	// object alone), type kubernetes.io/dockercfg.
	KeyDockerConfig = ".dockercfg"
	// KeyUsername is a basic-auth user name, for any registry.
	KeyUsername = "username"
	// KeyPassword is the password of KeyUsername.
	KeyPassword = "password"
	// KeyBearerToken is a registry bearer token, for any registry.
	KeyBearerToken = "bearerToken"
)

// FromSecretData turns the data of a Secret, as a controller reads it, into
// a keychain. It reads, in this order of precedence: KeyDockerConfigJSON,
// KeyDockerConfig (each for the registries it lists), KeyUsername with
// KeyPassword, and KeyBearerToken (for any registry). Credential helpers
// named by a docker config in a Secret are never run: such a registry
// resolves to an error wrapping ErrCredentialHelperNotAllowed.
//
// It returns an error wrapping ErrNoCredentials when none of these keys is
// present, and a *SecretError naming the key at fault for a malformed
// docker config (its Err is a *DockerConfigError) or a user name without
// password or the reverse (wrapping ErrMissingKey). Errors never hold a
// value of data.
func FromSecretData(data map[string][]byte) (authn.Keychain, error) {
	var keychains []authn.Keychain
	if raw, ok := data[KeyDockerConfigJSON]; ok {
		cfg, err := ParseDockerConfig(raw, "secret key "+KeyDockerConfigJSON, DockerConfigOptions{})
		if err != nil {
			return nil, &SecretError{Key: KeyDockerConfigJSON, Err: err}
		}
		keychains = append(keychains, cfg)
	}
	if raw, ok := data[KeyDockerConfig]; ok {
		cfg, err := parseLegacyDockerConfig(raw, "secret key "+KeyDockerConfig)
		if err != nil {
			return nil, &SecretError{Key: KeyDockerConfig, Err: err}
		}
		keychains = append(keychains, cfg)
	}
	user, hasUser := data[KeyUsername]
	pass, hasPass := data[KeyPassword]
	switch {
	case hasUser && !hasPass:
		return nil, &SecretError{Key: KeyPassword, Err: fmt.Errorf("%w: %q is set without it", ErrMissingKey, KeyUsername)}
	case hasPass && !hasUser:
		return nil, &SecretError{Key: KeyUsername, Err: fmt.Errorf("%w: %q is set without it", ErrMissingKey, KeyPassword)}
	case hasUser:
		keychains = append(keychains, ForAnyRegistry(Basic(string(user), string(pass))))
	}
	if token, ok := data[KeyBearerToken]; ok {
		keychains = append(keychains, ForAnyRegistry(Bearer(string(token))))
	}
	if len(keychains) == 0 {
		return nil, fmt.Errorf("read secret: %w: expected %q, %q, %q and %q, or %q",
			ErrNoCredentials, KeyDockerConfigJSON, KeyDockerConfig, KeyUsername, KeyPassword, KeyBearerToken)
	}
	return Chain(keychains...), nil
}
