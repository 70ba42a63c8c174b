package testenv

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

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
	goCommand   string
	env         []string
	kubeVersion string
	etcdVersion string
	logPath     string
	progress    *toolbuild.Progress
}

func (b *builder) build(ctx context.Context, out string) error {
	goCmd := b.goCommand
	if goCmd == "" {
		goCmd = "go"
	}
	path, err := exec.LookPath(goCmd)
	if err != nil {
		return &BuildError{Binary: etcdBinary, Step: "find go", Err: fmt.Errorf("%w: %w", ErrGoNotFound, err)}
	}
	b.goCommand = path

	logFile, err := os.Create(b.logPath)
	if err != nil {
		return fmt.Errorf("create build log: %w", err)
	}
	defer func() { _ = logFile.Close() }()

	steps := []struct {
		binary, version string
		fn              func(ctx context.Context, run runFunc, work, out string) error
	}{
		{etcdBinary, b.etcdVersion, b.buildEtcd},
		{kubeAPIServerBinary, b.kubeVersion, b.buildKubeAPIServer},
	}
	for _, step := range steps {
		binary := step.binary
		work, err := os.MkdirTemp("", "sluice-testenv-"+binary+"-")
		if err != nil {
			return fmt.Errorf("build %s: %w", binary, err)
		}
		run := func(ctx context.Context, label string, args ...string) ([]byte, error) {
			return b.run(ctx, logFile, work, binary, label, args...)
		}
		done := b.progress.Step("building " + binary + " " + step.version)
		err = step.fn(ctx, run, work, out)
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

func (b *builder) buildEtcd(ctx context.Context, run runFunc, work, out string) error {
	if err := writeModule(work, etcdBinary, "sluice.local/testenv/etcd", etcdMain); err != nil {
		return err
	}
	if _, err := run(ctx, "go get", "get", "go.etcd.io/etcd/server/v3@"+b.etcdVersion); err != nil {
		return err
	}
	if _, err := run(ctx, "go mod tidy", "mod", "tidy"); err != nil {
		return err
	}
	_, err := run(ctx, "go build", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(out, etcdBinary), ".")
	return err
}

func (b *builder) buildKubeAPIServer(ctx context.Context, run runFunc, work, out string) error {
	if err := writeModule(work, kubeAPIServerBinary, "sluice.local/testenv/kube-apiserver", kubeAPIServerMain); err != nil {
		return err
	}
	const kube = "k8s.io/kubernetes"
	if _, err := run(ctx, "go get", "get", kube+"@"+b.kubeVersion); err != nil {
		return err
	}
	// k8s.io/kubernetes replaces its staging modules (k8s.io/api,
	// k8s.io/apiserver, ...) with local folders, which a dependent module
	// does not see: pin each to the matching v0 release instead.
	js, err := run(ctx, "go mod download", "mod", "download", "-json", kube+"@"+b.kubeVersion)
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
	stagingVersion := "v0." + strings.TrimPrefix(b.kubeVersion, "v1.")
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

// run runs one go command in work, logging its output. Its stdout is
// returned; a failure becomes a *BuildError with the tail of the output.
func (b *builder) run(ctx context.Context, log *os.File, work, binary, label string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, b.goCommand, args...) //nolint:gosec // our own go command and arguments
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GO111MODULE=on")
	cmd.Env = append(cmd.Env, b.env...)
	cmd.WaitDelay = 5 * time.Second
	// exec copies stdout and stderr from two goroutines: the writers they
	// share are guarded by one lock.
	var stdout, combined bytes.Buffer
	var mu sync.Mutex
	shared := &lockedWriter{mu: &mu, w: io.MultiWriter(&combined, log)}
	cmd.Stdout = io.MultiWriter(&stdout, shared)
	cmd.Stderr = shared
	_, _ = fmt.Fprintf(log, "\n$ (%s) go %s\n", work, strings.Join(args, " "))
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("build %s: %s: %w", binary, label, context.Cause(ctx))
	}
	return nil, toolbuild.CommandFailure(binary, label, combined.String(), b.logPath, err)
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
