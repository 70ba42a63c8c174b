// Package quickstart runs the whole GitOps loop on one machine: a real
// kube-apiserver and etcd (testenv), a local Git server holding a demo
// repository, and the example source and applier controllers running
// in-process. It then proves each promise of the loop in turn — the
// repository is applied and Ready, a new commit lands, a manual edit is
// reverted, a file removed from Git is pruned — and prints a short account
// of each step with its timing.
//
// The command examples/cmd/quickstart wraps [Run]; its test runs the same
// steps in CI.
package quickstart
