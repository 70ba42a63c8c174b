// Package cmd holds the example controller binaries, one folder each, and
// a test that builds them and runs them together against a real control
// plane through a kubeconfig, as `go run` against any cluster would:
//
//   - source-controller: GitRepository and OCIRepository into artifacts
//     served over HTTP;
//   - applier-controller: Sync, applying a source's artifact with
//     server-side apply, drift correction, prune and health checks;
//   - image-controller: ImageRepository, ImagePolicy and
//     ImageUpdateAutomation;
//   - notification-controller: event forwarding to webhooks and signed
//     webhook Receivers;
//   - quickstart: the whole GitOps loop on one machine.
package cmd
