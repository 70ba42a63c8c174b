package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sluice-dev/sluice/testenv"
	"github.com/sluice-dev/sluice/testenv/cosign"
	"github.com/sluice-dev/sluice/testenv/gitea"
)

func main() {
	var opts testenv.AssetsOptions
	flag.StringVar(&opts.CacheDir, "cache-dir", "", "folder for built binaries (default $XDG_CACHE_HOME/sluice/testenv)")
	flag.StringVar(&opts.KubernetesVersion, "kubernetes-version", testenv.DefaultKubernetesVersion, "kube-apiserver release to build")
	flag.StringVar(&opts.EtcdVersion, "etcd-version", testenv.DefaultEtcdVersion, "etcd release to build")
	flag.BoolVar(&opts.IgnoreEnv, "ignore-env", false, "build even when "+testenv.AssetsEnv+" is set")
	tools := flag.Bool("tools", false, "also build the cosign CLI and Gitea that testenv/cosign and testenv/gitea run, printing their paths first")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *tools {
		cosignPath, err := cosign.Binary(ctx, cosign.Options{CacheDir: opts.CacheDir})
		if err != nil {
			fail(stop, "cosign", err)
		}
		fmt.Println(cosignPath)
		giteaPath, err := gitea.Binary(ctx, gitea.BuildOptions{CacheDir: opts.CacheDir})
		if err != nil {
			fail(stop, "gitea", err)
		}
		fmt.Println(giteaPath)
	}
	dir, err := testenv.Assets(ctx, opts)
	if err != nil {
		fail(stop, "assets", err)
	}
	fmt.Println(dir)
}

// fail prints err and exits; stop releases the signal handler first.
func fail(stop func(), what string, err error) {
	stop()
	fmt.Fprintln(os.Stderr, what+":", err)
	os.Exit(1)
}
