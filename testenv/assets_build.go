package testenv

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/sluice-dev/sluice/testenv/internal/toolbuild"
)

// The main packages of the generated build modules. They are kept as text,
// not Go files, so they are never compiled as part of this module.
var (
	//go:embed mains/etcd.go.txt
	etcdMain string

	//go:embed mains/kube-apiserver.go.txt
	kubeAPIServerMain string
)

// builder builds etcd and kube-apiserver from source with the go command.
type builder struct {
	kubeVersion string
	etcdVersion string
}

// build writes both binaries into b.Out, each from its own throwaway
// module in a temporary folder.
func (bl *builder) build(ctx context.Context, b *toolbuild.Builder) error {
	steps := []struct {
		binary, version string
		fn              func(ctx context.Context, run runFunc, work, out string) error
	}{
		{etcdBinary, bl.etcdVersion, bl.buildEtcd},
		{kubeAPIServerBinary, bl.kubeVersion, bl.buildKubeAPIServer},
	}
	for _, step := range steps {
		binary := step.binary
		work, err := os.MkdirTemp("", "sluice-testenv-"+binary+"-")
		if err != nil {
			return fmt.Errorf("build %s: %w", binary, err)
		}
		run := func(ctx context.Context, label string, args ...string) ([]byte, error) {
			return b.Go(ctx, binary, label, work, []string{"CGO_ENABLED=0"}, args...)
		}
		done := b.Step("building " + binary + " " + step.version)
		err = step.fn(ctx, run, work, b.Out)
		done(err)
		_ = os.RemoveAll(work)
		if err != nil {
			return err
		}
	}
	return nil
}

// runFunc runs one go command in a work module and returns its stdout.
type runFunc func(ctx context.Context, label string, args ...string) ([]byte, error)

func (bl *builder) buildEtcd(ctx context.Context, run runFunc, work, out string) error {
	if err := writeModule(work, etcdBinary, "sluice.local/testenv/etcd", etcdMain); err != nil {
		return err
	}
	if _, err := run(ctx, "go get", "get", "go.etcd.io/etcd/server/v3@"+bl.etcdVersion); err != nil {
		return err
	}
	if _, err := run(ctx, "go mod tidy", "mod", "tidy"); err != nil {
		return err
	}
	_, err := run(ctx, "go build", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(out, etcdBinary), ".")
	return err
}

func (bl *builder) buildKubeAPIServer(ctx context.Context, run runFunc, work, out string) error {
	if err := writeModule(work, kubeAPIServerBinary, "sluice.local/testenv/kube-apiserver", kubeAPIServerMain); err != nil {
		return err
	}
	const kube = "k8s.io/kubernetes"
	if _, err := run(ctx, "go get", "get", kube+"@"+bl.kubeVersion); err != nil {
		return err
	}
	// k8s.io/kubernetes replaces its staging modules (k8s.io/api,
	// k8s.io/apiserver, ...) with local folders, which a dependent module
	// does not see: pin each to the matching v0 release instead.
	js, err := run(ctx, "go mod download", "mod", "download", "-json", kube+"@"+bl.kubeVersion)
	if err != nil {
		return err
	}
	var info struct{ GoMod string }
	if err := json.Unmarshal(js, &info); err != nil || info.GoMod == "" {
		return &BuildError{Binary: kubeAPIServerBinary, Step: "go mod download", Err: fmt.Errorf("%w: no go.mod path for %s in %q", ErrBuildFailed, kube, js)}
	}
	staging, err := stagingModules(info.GoMod)
	if err != nil {
		return &BuildError{Binary: kubeAPIServerBinary, Step: "read " + kube + " go.mod", Err: fmt.Errorf("%w: %w", ErrBuildFailed, err)}
	}
	stagingVersion := "v0." + strings.TrimPrefix(bl.kubeVersion, "v1.")
	args := []string{"mod", "edit"}
	for _, m := range staging {
		args = append(args, "-replace="+m+"="+m+"@"+stagingVersion)
	}
	if _, err := run(ctx, "go mod edit", args...); err != nil {
		return err
	}
	if _, err := run(ctx, "go mod tidy", "mod", "tidy"); err != nil {
		return err
	}
	_, err = run(ctx, "go build", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(out, kubeAPIServerBinary), ".")
	return err
}

// writeModule writes the go.mod and main.go of a throwaway main module.
func writeModule(work, binary, module, main string) error {
	files := map[string]string{
		"go.mod":  "module " + module + "\n\ngo 1.26.0\n",
		"main.go": main,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o600); err != nil {
			return fmt.Errorf("build %s: write %s: %w", binary, name, err)
		}
	}
	return nil
}

// stagingModules lists the modules that the go.mod at path replaces with a
// folder under ./staging.
func stagingModules(path string) ([]string, error) {
	data, err := os.ReadFile(path) //nolint:gosec // a path the go command gave us
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		return nil, err
	}
	var mods []string
	for _, r := range f.Replace {
		if r.New.Version == "" && strings.HasPrefix(r.New.Path, "./staging/") {
			mods = append(mods, r.Old.Path)
		}
	}
	if len(mods) == 0 {
		return nil, errors.New("no staging modules replaced")
	}
	return mods, nil
}
