// Package testenv runs the real infrastructure Sluice's tests stand on: a
// kube-apiserver and etcd control plane, built from source on first use.
// Its sub-packages add a Git server (gitserver), an OCI registry (registry)
// and Gomega matchers (matchers).
//
// One control plane per test package, started in TestMain:
//
//	var env *testenv.Environment
//
//	func TestMain(m *testing.M) {
//		os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
//			testenv.WithCRDPaths("config/crd")))
//	}
//
//	func TestSomething(t *testing.T) {
//		c := env.Client()
//		...
//	}
//
// # Binaries
//
// [Assets] finds kube-apiserver and etcd: the folder named by
// KUBEBUILDER_ASSETS when set (the layout controller-runtime's envtest
// uses), otherwise a per-user cache folder
// ($XDG_CACHE_HOME/sluice/testenv/v1.37.2) that it fills on first use by
// building both binaries from source through the Go module proxy. A cold
// build takes about 15 minutes on 2 cores; later calls return in
// milliseconds. Concurrent test binaries share one build through a file
// lock; the ones waiting for it show how long they have waited. The command github.com/sluice-dev/sluice/testenv/cmd/assets does
// the same from a shell and prints the folder as its last line.
//
// # Concurrency
//
// An [Environment] is safe for concurrent use by the tests of a package.
// [Assets] is safe to call from several goroutines and processes at once.
//
// # Errors
//
// [Assets] and [Start] return [ErrAssetsMissing] for an incomplete
// KUBEBUILDER_ASSETS folder, and a [*BuildError] wrapping [ErrGoNotFound],
// [ErrModuleDownload] or [ErrBuildFailed], with the tail of the build log,
// when building the binaries fails.
package testenv
