// Package impersonation builds the Kubernetes clients with which a
// controller acts for a tenant: as a service account of the tenant's
// namespace (through impersonation, so RBAC in that namespace decides what
// the controller may do), or with the identity a kubeconfig Secret holds,
// for remote clusters.
//
// The one call a newcomer needs:
//
//	imp := impersonation.New(mgr.GetConfig(), mgr.GetAPIReader(),
//		impersonation.WithDefaultServiceAccount("default")) // the multi-tenancy lockdown
//	c, err := imp.Client(ctx, obj.Namespace, impersonation.ClientOptions{
//		ServiceAccountName: obj.Spec.ServiceAccountName,
//		KubeConfig:         obj.Spec.KubeConfig, // a *meta.KubeConfigReference, or nil
//	})
//
// An impersonated client authenticates with the controller's own
// credentials and asks the API server to act as
// system:serviceaccount:<namespace>:<name>, in the groups
// system:serviceaccounts and system:serviceaccounts:<namespace>; the
// controller therefore needs the impersonate verb on serviceaccounts.
//
// A kubeconfig Secret, in the object's namespace, is named by the API type
// github.com/sluice-dev/sluice/apis/meta.KubeConfigReference, with the API's
// rules: the Secret's name and the data key are both required, there is no
// default key.
//
// # Security defaults
//
// A kubeconfig read from a Secret may not run exec credential plugins or
// auth-provider plugins (both run code or reach out on the controller's
// behalf) unless [WithAllowExecPlugins] says so, and may never refer to
// files (certificate-authority, client-certificate, client-key, tokenFile),
// which would read the controller's own file system, such as its service
// account token. Errors never quote the kubeconfig or the Secret's data.
//
// # Concurrency
//
// An [Impersonator] is immutable once built and safe for concurrent use;
// each call builds a new client. The clients of one Impersonator share its
// scheme: the [WithScheme] one, or else one of client-go's built-in types
// made for that Impersonator alone, never client-go's global scheme.Scheme,
// which any package may change.
//
// # Errors
//
// [Impersonator.Config] and [Impersonator.Client] return
// [ErrServiceAccountRequired] when [WithRequireServiceAccount] is set and
// neither the object nor the default names a service account,
// [ErrInvalidServiceAccountName] for a name that is not a valid object name,
// and a [*KubeConfigError] when the kubeconfig Secret cannot be used: it
// wraps [ErrInvalidKubeConfigReference] (no Secret name or key), the API
// error of reading the Secret, [ErrKeyNotFound],
// [ErrInvalidKubeConfig], [ErrExecPluginNotAllowed],
// [ErrAuthProviderNotAllowed] or [ErrFileReferenceNotAllowed]. None of them
// is transient except API errors reading the Secret. [Impersonator.Client]
// also returns the error of building the client.
package impersonation
