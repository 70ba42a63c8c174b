// Package acl decides whether an object in one namespace may refer to an
// object in another, from the target's [apiacl.AccessFrom] grant and the
// labels of the referring namespace.
//
// The one call a newcomer needs:
//
//	authz := acl.New(acl.WithNoCrossNamespaceRefs()) // or acl.New() to honour AccessFrom
//	if err := authz.Authorize(ctx, r.Client, obj.Namespace, target, target.Spec.AccessFrom); err != nil {
//		// errors.Is(err, acl.ErrAccessDenied): stall until the grant changes
//	}
//
// A reference within one namespace is always allowed. Across namespaces it
// is denied when the operator switched cross-namespace references off (the
// multi-tenancy lockdown), and otherwise allowed only when the target's
// AccessFrom selects the labels of the referring namespace, read live from
// the API server.
//
// # Concurrency
//
// An [Authorizer] is immutable once built and safe for concurrent use.
//
// # Errors
//
// A denial is an [*AccessDeniedError] that matches [ErrAccessDenied] with
// errors.Is; it is not transient, so do not retry it before the target or
// the namespace changes. A failure to read the referring Namespace is
// returned wrapped, as it came from the client, and may be retried.
//
// [apiacl.AccessFrom]: https://pkg.go.dev/github.com/sluice-dev/sluice/apis/acl#AccessFrom
package acl
