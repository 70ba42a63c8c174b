// Command quickstart runs the whole GitOps loop on this machine and shows
// each step of it: a Kubernetes control plane (kube-apiserver and etcd,
// built from source on the first run), a local Git server with a demo
// repository, and the example source and applier controllers. It applies
// the repository, lands a new commit, reverts a manual edit and prunes a
// file removed from Git, and exits 0 when every step held.
//
// Usage:
//
//	go run ./examples/cmd/quickstart [flags]
//
// Run it with --help for the flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/sluice-dev/sluice/examples/internal/quickstart"
)

const usage = `quickstart runs the whole Sluice GitOps loop on this machine.

It starts a real kube-apiserver and etcd (built from source through the Go
module proxy on the first run, about 15 minutes; cached afterwards), a local
Git server holding a demo repository, and the example source and applier
controllers in this process. Then it shows, step by step:

  1. the repository applied: objects created and Ready;
  2. a new commit changing a value: the change lands;
  3. a manual edit of an applied object: reverted (drift);
  4. a file removed from Git: its object pruned.

It exits 0 when every step held, 1 with the failing step otherwise, and 2
for a bad command line.

Usage:
  go run ./examples/cmd/quickstart [flags]

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("quickstart", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var (
		opts    quickstart.Options
		verbose bool
	)
	fs.BoolVar(&opts.Keep, "keep", false, "leave the control plane, the Git server and the controllers running, and print a kubeconfig path")
	fs.BoolVar(&verbose, "verbose", false, "print the controllers' logs to standard error")
	fs.StringVar(&opts.WorkDir, "work-dir", "", "directory for the Git repositories, artifacts and kubeconfig (default: a new temporary directory)")
	fs.DurationVar(&opts.StepTimeout, "step-timeout", 2*time.Minute, "time each step may take, provisioning excepted")
	fs.DurationVar(&opts.ProvisionTimeout, "provision-timeout", 60*time.Minute, "time provisioning the control plane may take (a cold build takes about 15 minutes)")
	fs.DurationVar(&opts.Interval, "interval", 3*time.Second, "reconcile interval of the demo GitRepository and Sync")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "quickstart:", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected arguments %q\n", fs.Args())
		return 2
	}
	opts.Out, opts.Progress = stdout, stderr
	if verbose {
		opts.ControllerLogs = stderr
	}
	if err := quickstart.Run(ctx, opts); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}
