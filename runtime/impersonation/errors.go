package impersonation

import (
	"errors"
	"fmt"
)

var (
	// ErrServiceAccountRequired means [WithRequireServiceAccount] is set
	// and neither the object nor [WithDefaultServiceAccount] names a service
	// account.
	ErrServiceAccountRequired = errors.New("service account required")

	// ErrInvalidServiceAccountName means the service account name is not a valid
	// Kubernetes object name.
	ErrInvalidServiceAccountName = errors.New("invalid service account name")

	// ErrInvalidKubeConfigReference means a [meta.KubeConfigReference]
	// names no Secret or no key. The API requires both, so only a reference
	// built in Go, not one read from the API server, can be refused so.
	ErrInvalidKubeConfigReference = errors.New("invalid kubeconfig reference")

	// ErrKeyNotFound means the kubeconfig Secret has no such key, or it is empty.
	ErrKeyNotFound = errors.New("key not found in secret")

	// ErrInvalidKubeConfig means the Secret's data is not a usable kubeconfig.
	ErrInvalidKubeConfig = errors.New("invalid kubeconfig")

	// ErrExecPluginNotAllowed means the kubeconfig runs an exec credential
	// plugin and [WithAllowExecPlugins] is not set.
	ErrExecPluginNotAllowed = errors.New("exec credential plugin not allowed")

	// ErrAuthProviderNotAllowed means the kubeconfig uses an auth-provider
	// plugin and [WithAllowExecPlugins] is not set.
	ErrAuthProviderNotAllowed = errors.New("auth-provider plugin not allowed")

	// ErrFileReferenceNotAllowed means the kubeconfig refers to a file on the
	// controller's file system.
	ErrFileReferenceNotAllowed = errors.New("file reference not allowed in kubeconfig")
)

// KubeConfigError reports a kubeconfig Secret that cannot be used. Its
// message names the Secret and key, never their content.
type KubeConfigError struct {
	// Secret is the Secret as namespace/name.
	Secret string
	// Key is the data key read.
	Key string
	// Err is the cause: an API error reading the Secret or one of the
	// package's sentinels ([ErrInvalidKubeConfigReference],
	// [ErrKeyNotFound], [ErrInvalidKubeConfig], [ErrExecPluginNotAllowed],
	// [ErrAuthProviderNotAllowed], [ErrFileReferenceNotAllowed]).
	Err error
}

// Error describes the failure.
func (e *KubeConfigError) Error() string {
	return fmt.Sprintf("read kubeconfig from secret %s key %q: %v", e.Secret, e.Key, e.Err)
}

// Unwrap returns Err.
func (e *KubeConfigError) Unwrap() error { return e.Err }
