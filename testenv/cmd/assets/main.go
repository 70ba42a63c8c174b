package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sluice-dev/sluice/testenv"
)

func main() {
	var opts testenv.AssetsOptions
	flag.StringVar(&opts.CacheDir, "cache-dir", "", "folder for built binaries (default $XDG_CACHE_HOME/sluice/testenv)")
	flag.StringVar(&opts.KubernetesVersion, "kubernetes-version", testenv.DefaultKubernetesVersion, "kube-apiserver release to build")
	flag.StringVar(&opts.EtcdVersion, "etcd-version", testenv.DefaultEtcdVersion, "etcd release to build")
	flag.BoolVar(&opts.IgnoreEnv, "ignore-env", false, "build even when "+testenv.AssetsEnv+" is set")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	dir, err := testenv.Assets(ctx, opts)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "assets:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}
