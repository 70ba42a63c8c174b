package codegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// deepcopyFile is the file controller-gen's object generator writes.
const deepcopyFile = "zz_generated.deepcopy.go"

// waitDelay bounds how long a cancelled controller-gen run may keep its
// output open: go tool runs controller-gen as a child that outlives a
// killed go command.
const waitDelay = 5 * time.Second

// Verify regenerates the CRDs and deep-copy functions that opts names with
// the controller-gen pinned in opts.ToolsDir, into a temporary folder it
// removes afterwards, and compares them byte for byte with the committed
// files. It writes nothing next to the committed files. Every comparison
// runs before it reports, so one error lists every stale file.
//
// It returns nil when the committed files are up to date; a [*StaleError]
// (wrapping [ErrStale]) listing every missing, extra and stale file; an
// error wrapping [ErrInvalidOptions] for unusable opts, [ErrGoNotFound]
// when there is no go command, or [ErrGenerate] when controller-gen fails;
// the context's error when ctx ends first; and otherwise an error reading
// the files.
func Verify(ctx context.Context, opts Options) error {
	p, err := opts.validate()
	if err != nil {
		return fmt.Errorf("verify generated files: %w", err)
	}
	goBin, err := findGo(opts.Go)
	if err != nil {
		return err
	}
	out, err := os.MkdirTemp("", "sluice-codegen-")
	if err != nil {
		return fmt.Errorf("verify generated files: create a temporary folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(out) }()

	var diffs []FileDiff
	if p.crdDir != "" {
		dir := filepath.Join(out, "crd")
		args := []string{"crd"}
		for _, path := range p.crdPaths {
			args = append(args, "paths="+path)
		}
		args = append(args, "output:crd:dir="+dir)
		if err := controllerGen(ctx, goBin, p.tools, args...); err != nil {
			return err
		}
		d, err := compareCRDs(dir, p.crdDir, opts.CRDDir)
		if err != nil {
			return err
		}
		diffs = append(diffs, d...)
	}
	for i, pkg := range p.objects {
		dir := filepath.Join(out, "object", strconv.Itoa(i))
		if err := controllerGen(ctx, goBin, p.tools, "object", "paths="+pkg, "output:object:dir="+dir); err != nil {
			return err
		}
		d, err := compareFile(filepath.Join(dir, deepcopyFile), filepath.Join(pkg, deepcopyFile),
			filepath.Join(opts.ObjectPackages[i], deepcopyFile))
		if err != nil {
			return err
		}
		if d != nil {
			diffs = append(diffs, *d)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	slices.SortFunc(diffs, func(a, b FileDiff) int { return strings.Compare(a.Path, b.Path) })
	return &StaleError{Files: diffs, Regenerate: opts.Regenerate}
}

// findGo returns the path of goCmd ("go" when empty).
func findGo(goCmd string) (string, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	path, err := exec.LookPath(goCmd)
	if err != nil {
		return "", fmt.Errorf("verify generated files: find the go command to run controller-gen: %w: %w", ErrGoNotFound, err)
	}
	return path, nil
}

// controllerGen runs `go -C tools tool controller-gen args...`.
func controllerGen(ctx context.Context, goBin, tools string, args ...string) error {
	full := append([]string{"-C", tools, "tool", "controller-gen"}, args...)
	cmd := exec.CommandContext(ctx, goBin, full...)
	cmd.WaitDelay = waitDelay
	output, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("verify generated files: controller-gen %s: %w", strings.Join(args, " "), ctxErr)
	}
	return fmt.Errorf("verify generated files: %w: %s %s: %w\n%s",
		ErrGenerate, goBin, strings.Join(full, " "), err, bytes.TrimSpace(output))
}

// compareCRDs compares the CRDs generated into generated with the *.yaml
// files in committed, naming committed files as under shown.
func compareCRDs(generated, committed, shown string) ([]FileDiff, error) {
	names := map[string]bool{}
	entries, err := os.ReadDir(generated)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("verify generated files: read the generated CRDs: %w", err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			names[e.Name()] = true
		}
	}
	existing, err := filepath.Glob(filepath.Join(committed, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("verify generated files: list the committed CRDs: %w", err)
	}
	var diffs []FileDiff
	for _, path := range existing {
		name := filepath.Base(path)
		if !names[name] {
			diffs = append(diffs, FileDiff{Path: filepath.Join(shown, name), Change: Extra, Hint: "committed but no longer generated"})
		}
	}
	for name := range names {
		d, err := compareFile(filepath.Join(generated, name), filepath.Join(committed, name), filepath.Join(shown, name))
		if err != nil {
			return nil, err
		}
		if d != nil {
			diffs = append(diffs, *d)
		}
	}
	return diffs, nil
}

// compareFile compares the generated file with the committed one, naming
// it shown. A generated file that does not exist means controller-gen
// generates nothing there. It returns nil when both agree.
func compareFile(generated, committed, shown string) (*FileDiff, error) {
	want, err := readOptional(generated)
	if err != nil {
		return nil, fmt.Errorf("verify generated files: read the generated %s: %w", shown, err)
	}
	got, err := readOptional(committed)
	if err != nil {
		return nil, fmt.Errorf("verify generated files: read %s: %w", shown, err)
	}
	switch {
	case want == nil && got == nil:
		return nil, nil
	case want == nil:
		return &FileDiff{Path: shown, Change: Extra, Hint: "committed but no longer generated"}, nil
	case got == nil:
		return &FileDiff{Path: shown, Change: Missing, Hint: "generated but not committed"}, nil
	case bytes.Equal(want, got):
		return nil, nil
	default:
		return &FileDiff{Path: shown, Change: Stale, Hint: firstDiff(got, want)}, nil
	}
}

// readOptional reads a file, returning nil without error when it does not
// exist, and a non-nil slice for an empty file. The paths come from the
// caller's Options, or from the temporary folder Verify generates into.
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Clean(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}
