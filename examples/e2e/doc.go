// Package e2e holds the end-to-end conformance tests of the example
// controllers: the source, applier and image automation reconcilers run
// in-process, in one controller-runtime manager per test (the notification
// controller, when a test needs it, in a second one with its servers on
// loopback), against a real testenv control plane (kube-apiserver and etcd),
// a real Gitea server, the testenv Git server and the testenv OCI registry.
//
// The package has no non-test code. Run it from the examples module:
//
//	go test -race -count=1 ./e2e/
//
// The tests are:
//
//   - TestBootstrap: the git/provider package creates a repository and a
//     read-only deploy key on Gitea, the test pushes application manifests
//     and the controllers' own configuration, then bootstraps the cluster
//     the way `flux bootstrap` does (a deploy-key Secret, a GitRepository
//     over SSH and a Sync of the cluster folder). The Sync from Git applies
//     itself and the applications, and a later commit lands.
//   - TestImageAutomation: a new image tag in the registry goes through
//     ImageRepository, ImagePolicy, ImageUpdateAutomation (a commit pushed
//     to Git), GitRepository and Sync into the Deployment in the cluster,
//     every hop asserted.
//   - TestMultiTenancy: a locked-down applier impersonates the tenant's
//     service account, so a tenant cannot create objects outside its
//     namespace, and refuses cross-namespace source references.
//   - TestNotificationChain: the source and applier controllers post their
//     events to the notification controller's EventServer, which forwards
//     those an Alert selects to a generic-hmac Provider's webhook, every
//     call signed with the Provider's token. With a one-hour interval, a
//     new commit lands only through a Receiver: a correctly signed webhook
//     call requests a reconcile of the GitRepository, the Sync applies the
//     commit and the webhook is told; a badly signed call gets 401 and
//     changes nothing.
//
// Gitea is built from source on first use (several minutes, cached per
// user); set SLUICE_SKIP_GITEA=1 to skip TestBootstrap. Set
// SLUICE_E2E_LOG=1 to see the controllers' logs on stderr.
package e2e
