// Package app is the plumbing every example controller binary shares: the
// common flags (bound from the runtime/flags option structs), the logger,
// the rest.Config, the manager with its metrics and health endpoints, and
// the event recorder. A controller's main.go only adds its own flags and
// constructs its reconcilers:
//
//	func main() {
//		os.Exit(app.Main("source-controller", []func(*runtime.Scheme) error{sourcev1.AddToScheme}, bind, setup))
//	}
package app
