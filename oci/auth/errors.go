package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors. Compare with errors.Is: most arrive wrapped in one of the
// typed errors below, which say where the failure happened.
var (
	// ErrNoCredentials means Secret data holds none of the keys
	// FromSecretData reads. Do not retry: the Secret must change.
	ErrNoCredentials = errors.New("no registry credentials")
	// ErrInvalidDockerConfig is in the chain of a *DockerConfigError: the
	// docker config is not valid JSON or an "auth" value is not base64 of
	// "user:password". Do not retry.
	ErrInvalidDockerConfig = errors.New("invalid docker config")
	// ErrCredentialHelperNotAllowed is in the chain of a
	// *CredentialHelperError: the docker config names a credential helper
	// for the registry and DockerConfigOptions.AllowCredentialHelpers is
	// false. Do not retry.
	ErrCredentialHelperNotAllowed = errors.New("credential helpers not allowed")
	// ErrCredentialHelperFailed is in the chain of a *CredentialHelperError:
	// the helper could not be run, exited with an error other than "not
	// found" or printed something other than its JSON answer.
	ErrCredentialHelperFailed = errors.New("credential helper failed")
	// ErrMissingKey is in the chain of a *SecretError: a Secret key needs a
	// companion that is absent ("username" without "password" or the
	// reverse). Do not retry.
	ErrMissingKey = errors.New("missing secret key")
	// ErrInvalidOption is returned by constructors for an invalid or
	// conflicting option. Do not retry.
	ErrInvalidOption = errors.New("invalid option")
	// ErrNotConfigured is in the chain of a *LoginError when a cloud
	// provider lacks the settings it needs (a role ARN, a client ID, a token
	// file...). Do not retry: the workload's configuration must change.
	ErrNotConfigured = errors.New("cloud login not configured")
	// ErrUnexpectedResponse is in the chain of a *LoginError when a token
	// endpoint answers with an error status or a body that cannot be read.
	// Retrying later may help for 5xx and 429 statuses.
	ErrUnexpectedResponse = errors.New("unexpected token endpoint response")
	// ErrUnsupportedRegistry is in the chain of a *LoginError when a
	// provider is asked for a registry host it cannot log in to.
	ErrUnsupportedRegistry = errors.New("registry not supported by provider")
)

// DockerConfigError reports a docker config.json that cannot be used. It
// never holds a credential: JSON syntax errors are reduced to their offset.
type DockerConfigError struct {
	// Source names where the config came from: a file path, a Secret key
	// such as ".dockerconfigjson", or "bytes".
	Source string
	// Registry is the auths entry at fault, empty for a whole-file error.
	Registry string
	// Err wraps ErrInvalidDockerConfig and the cause.
	Err error
}

// Error implements error.
func (e *DockerConfigError) Error() string {
	if e.Registry != "" {
		return fmt.Sprintf("parse docker config %s: entry %q: %v", e.Source, e.Registry, e.Err)
	}
	return fmt.Sprintf("parse docker config %s: %v", e.Source, e.Err)
}

// Unwrap returns the cause.
func (e *DockerConfigError) Unwrap() error { return e.Err }

// CredentialHelperError reports a docker credential helper that was refused
// or failed. It never holds the helper's output.
type CredentialHelperError struct {
	// Helper is the helper's name, such as "ecr-login" for the program
	// docker-credential-ecr-login.
	Helper string
	// Registry is the registry host whose credentials were asked for.
	Registry string
	// Err wraps ErrCredentialHelperNotAllowed or ErrCredentialHelperFailed.
	Err error
}

// Error implements error.
func (e *CredentialHelperError) Error() string {
	return fmt.Sprintf("credential helper %q for %s: %v", e.Helper, e.Registry, e.Err)
}

// Unwrap returns the cause.
func (e *CredentialHelperError) Unwrap() error { return e.Err }

// SecretError reports Secret data that cannot be turned into credentials.
// It names the key at fault, never its value.
type SecretError struct {
	// Key is the Secret data key at fault, such as "password".
	Key string
	// Err wraps ErrMissingKey, or is a *DockerConfigError.
	Err error
}

// Error implements error.
func (e *SecretError) Error() string {
	return fmt.Sprintf("read secret key %q: %v", e.Key, e.Err)
}

// Unwrap returns the cause.
func (e *SecretError) Unwrap() error { return e.Err }

// LoginError reports a failed cloud login. Its message never contains a
// token: every token or credential the provider handled during the login
// is replaced by "[redacted]" in Error, including in the text of the
// wrapped cause.
type LoginError struct {
	// Provider is the cloud that failed: "aws", "azure" or "gcp".
	Provider string
	// Registry is the registry host the login was for.
	Registry string
	// Stage names the step that failed, one of the Stage constants.
	Stage string
	// Err is the cause. It wraps ErrNotConfigured, ErrUnexpectedResponse or
	// ErrUnsupportedRegistry, a context error, or an SDK error. Its own
	// Error method does not redact; print the LoginError instead.
	Err error

	secrets []string
}

// Stages of a cloud login, the values of LoginError.Stage.
const (
	// StageConfigure is reading the provider's settings.
	StageConfigure = "configure"
	// StageReadToken is reading the workload's projected identity token.
	StageReadToken = "read identity token"
	// StageIdentity is getting a cloud identity: STS
	// AssumeRoleWithWebIdentity, an Entra ID token, a GCE metadata token or
	// a Google STS token exchange.
	StageIdentity = "get cloud identity"
	// StageImpersonate is Google service-account impersonation.
	StageImpersonate = "impersonate service account"
	// StageRegistryToken is trading the cloud identity for registry
	// credentials: ECR GetAuthorizationToken or the ACR /oauth2/exchange.
	StageRegistryToken = "get registry token"
)

// NewLoginError returns a *LoginError whose Error method replaces every
// non-empty string in secrets by "[redacted]". Providers pass every token
// they read or received, so that no cause can leak one.
func NewLoginError(provider, registry, stage string, err error, secrets ...string) *LoginError {
	kept := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return &LoginError{Provider: provider, Registry: registry, Stage: stage, Err: err, secrets: kept}
}

// Error implements error.
func (e *LoginError) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = redact(e.Err.Error(), e.secrets)
	}
	return fmt.Sprintf("%s login to %s: %s: %s", e.Provider, e.Registry, e.Stage, msg)
}

// Unwrap returns the cause.
func (e *LoginError) Unwrap() error { return e.Err }

// GoString keeps %#v from printing the redaction list.
func (e *LoginError) GoString() string {
	return fmt.Sprintf("&auth.LoginError{Provider:%q, Registry:%q, Stage:%q, Err:%q}", e.Provider, e.Registry, e.Stage, e.Error())
}

// redact replaces every secret in s by "[redacted]", longest first so that
// a secret containing another is removed whole.
func redact(s string, secrets []string) string {
	sorted := slices.Clone(secrets)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, secret := range sorted {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
