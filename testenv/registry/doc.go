// Package registry runs a real OCI registry in-process on 127.0.0.1 for
// Sluice's tests: push, pull, tag listing and deletes over plain HTTP or
// TLS, with or without basic authentication, and optionally the OCI 1.1
// referrers API.
//
// The one call a newcomer needs:
//
//	reg, err := registry.New(t.Context())
//	if err != nil {
//		t.Fatal(err)
//	}
//	t.Cleanup(func() { _ = reg.Close() })
//	ref := reg.Ref("team/app:v1") // "127.0.0.1:PORT/team/app:v1"
//
// Point a client at reg.Transport() (it trusts the registry's CA with
// [WithTLS]) and, with [WithUser], at reg.Credentials(). Over plain HTTP,
// go-containerregistry parses references with name.Insecure.
//
// # Backends
//
// Two implementations serve the same HTTP front (listener, TLS, htpasswd
// users, request hooks):
//
//   - [BackendDistribution], the default: CNCF Distribution v3 (the
//     reference registry) built with registry/handlers.NewApp, with deletes
//     enabled, in-memory storage or [WithFilesystemStorage], and its own
//     htpasswd access controller. It has no referrers API:
//     GET /v2/<name>/referrers/<digest> answers 404, so clients exercise the
//     "sha256-<hex>" tag fallback.
//   - [BackendGoContainerRegistry], chosen by [WithReferrersAPI]:
//     go-containerregistry's pkg/registry, in memory only, with
//     WithReferrersSupport(true), so the referrers endpoint answers an OCI
//     image index. Distribution's htpasswd access controller sits in front
//     of it, so authentication answers the same way.
//
// # Logging
//
// Both backends are silent unless [WithLogOutput] is given. Distribution
// logs through logrus and its internal context logger, falling back to
// logrus' process-wide standard logger; the registry instead hands it a
// logger of its own through the context it serves requests with, so no
// global logrus state is changed. A few Distribution code paths log through
// the standard logger directly (a storage walk that meets a concurrently
// deleted path, a corrupt resumable upload); they stay as the process
// configured them.
//
// # Concurrency
//
// Registries are independent: a test binary may run many at once, each on
// its own port, with its own storage, certificates and users. A
// [Registry]'s methods are safe for concurrent use. Hooks given to
// [WithRequestHook] are called concurrently. Two registries must not share
// a [WithFilesystemStorage] directory at the same time.
//
// # Errors
//
// [New] returns an error wrapping [ErrInvalidOption] for an invalid or
// conflicting option (test with errors.Is), the context's error if ctx ends
// before the registry starts, and otherwise an error wrapping the cause.
// [Registry.Close] returns an error only if stopping the server or removing
// its temporary files fails.
package registry
