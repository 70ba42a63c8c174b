package codegen_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/testenv/codegen"
)

// tools is the repository's tools module, which pins controller-gen.
const tools = "../../tools"

// The committed, up-to-date fixture: one API package and its CRD.
const (
	apiPkg  = "testdata/api/v1"
	crdDir  = "testdata/crd"
	crdFile = "fixture.sluice.dev_gadgets.yaml"
)

// requireGo skips the test without a go command, and fails it under CI.
func requireGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if codegen.SkipAllowed(os.Getenv("CI")) {
			t.Skipf("these tests run controller-gen through the go command: %v", err)
		}
		t.Fatalf("these tests run controller-gen through the go command, required under CI: %v", err)
	}
}

// crdCopy copies the committed fixture CRDs into a temporary folder and lets
// edit change it.
func crdCopy(t *testing.T, edit func(g *WithT, dir string)) string {
	t.Helper()
	g := NewWithT(t)
	dir := t.TempDir()
	content, err := os.ReadFile(filepath.Join(crdDir, crdFile))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(os.WriteFile(filepath.Join(dir, crdFile), content, 0o600)).To(Succeed())
	edit(g, dir)
	return dir
}

func TestVerify(t *testing.T) {
	requireGo(t)
	staleCRD := crdCopy(t, func(g *WithT, dir string) {
		path := filepath.Join(dir, crdFile)
		content, err := os.ReadFile(path)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(content)).To(ContainSubstring("                minimum: 1\n"))
		edited := strings.Replace(string(content), "                minimum: 1\n", "                minimum: 0\n", 1)
		g.Expect(os.WriteFile(path, []byte(edited), 0o600)).To(Succeed())
	})
	missingCRD := crdCopy(t, func(g *WithT, dir string) {
		g.Expect(os.Remove(filepath.Join(dir, crdFile))).To(Succeed())
	})
	extraCRD := crdCopy(t, func(g *WithT, dir string) {
		g.Expect(os.WriteFile(filepath.Join(dir, "fixture.sluice.dev_gizmos.yaml"), []byte("kind: CustomResourceDefinition\n"), 0o600)).To(Succeed())
		// Only *.yaml files are CRDs.
		g.Expect(os.WriteFile(filepath.Join(dir, "README.md"), []byte("committed CRDs\n"), 0o600)).To(Succeed())
	})

	tests := []struct {
		name string
		opts codegen.Options
		want []codegen.FileDiff // nil: up to date
	}{
		{
			name: "up to date",
			opts: codegen.Options{Paths: []string{apiPkg}, CRDDir: crdDir, ObjectPackages: []string{apiPkg}},
		},
		{
			name: "up to date, paths as a tree",
			opts: codegen.Options{Paths: []string{"testdata/api/..."}, CRDDir: crdDir},
		},
		{
			name: "stale CRD",
			opts: codegen.Options{Paths: []string{apiPkg}, CRDDir: staleCRD},
			want: []codegen.FileDiff{{
				Path: filepath.Join(staleCRD, crdFile), Change: codegen.Stale,
				Hint: `line 45 column 26: committed "                minimum: 0", generated "                minimum: 1"`,
			}},
		},
		{
			name: "missing CRD",
			opts: codegen.Options{Paths: []string{apiPkg}, CRDDir: missingCRD},
			want: []codegen.FileDiff{{Path: filepath.Join(missingCRD, crdFile), Change: codegen.Missing, Hint: "generated but not committed"}},
		},
		{
			name: "extra CRD",
			opts: codegen.Options{Paths: []string{apiPkg}, CRDDir: extraCRD},
			want: []codegen.FileDiff{{Path: filepath.Join(extraCRD, "fixture.sluice.dev_gizmos.yaml"), Change: codegen.Extra, Hint: "committed but no longer generated"}},
		},
		{
			name: "stale deepcopy",
			opts: codegen.Options{ObjectPackages: []string{"testdata/stale/v1"}},
			want: []codegen.FileDiff{{
				Path: "testdata/stale/v1/zz_generated.deepcopy.go", Change: codegen.Stale,
				Hint: `line 12 column 1: committed "}", generated "\tif in.Labels != nil {"`,
			}},
		},
		{
			name: "missing deepcopy",
			opts: codegen.Options{ObjectPackages: []string{"testdata/missing/v1"}},
			want: []codegen.FileDiff{{Path: "testdata/missing/v1/zz_generated.deepcopy.go", Change: codegen.Missing, Hint: "generated but not committed"}},
		},
		{
			name: "extra deepcopy",
			opts: codegen.Options{ObjectPackages: []string{"testdata/extra/v1"}},
			want: []codegen.FileDiff{{Path: "testdata/extra/v1/zz_generated.deepcopy.go", Change: codegen.Extra, Hint: "committed but no longer generated"}},
		},
		{
			name: "every file at once, sorted by path",
			opts: codegen.Options{
				Paths: []string{apiPkg}, CRDDir: missingCRD,
				ObjectPackages: []string{"testdata/stale/v1", apiPkg, "testdata/extra/v1"},
			},
			want: []codegen.FileDiff{
				{Path: filepath.Join(missingCRD, crdFile), Change: codegen.Missing, Hint: "generated but not committed"},
				{Path: "testdata/extra/v1/zz_generated.deepcopy.go", Change: codegen.Extra, Hint: "committed but no longer generated"},
				{
					Path: "testdata/stale/v1/zz_generated.deepcopy.go", Change: codegen.Stale,
					Hint: `line 12 column 1: committed "}", generated "\tif in.Labels != nil {"`,
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			tt.opts.ToolsDir = tools
			tt.opts.Regenerate = "run `make generate`"
			err := codegen.Verify(t.Context(), tt.opts)
			if tt.want == nil {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(codegen.ErrStale))
			var stale *codegen.StaleError
			g.Expect(errors.As(err, &stale)).To(BeTrue())
			g.Expect(stale.Files).To(Equal(tt.want))
			g.Expect(stale.Regenerate).To(Equal("run `make generate`"))
			for _, f := range tt.want {
				g.Expect(err.Error()).To(ContainSubstring("\n\t" + f.String()))
			}
			g.Expect(err.Error()).To(HaveSuffix("\nto regenerate: run `make generate`"))
		})
	}
}

func TestVerifyGoNotFound(t *testing.T) {
	opts := codegen.Options{ToolsDir: tools, ObjectPackages: []string{apiPkg}}
	t.Run("Go names a missing file", func(t *testing.T) {
		g := NewWithT(t)
		opts := opts
		opts.Go = filepath.Join(t.TempDir(), "go")
		err := codegen.Verify(t.Context(), opts)
		g.Expect(err).To(MatchError(codegen.ErrGoNotFound))
		g.Expect(err).To(MatchError(ContainSubstring(opts.Go)))
	})
	t.Run("no go on PATH", func(t *testing.T) {
		g := NewWithT(t)
		t.Setenv("PATH", t.TempDir())
		err := codegen.Verify(t.Context(), opts)
		g.Expect(err).To(MatchError(codegen.ErrGoNotFound))
		g.Expect(errors.Is(err, exec.ErrNotFound)).To(BeTrue(), "%v", err)
	})
}

func TestVerifyGenerateFails(t *testing.T) {
	requireGo(t)
	g := NewWithT(t)
	// A module that does not declare controller-gen as a tool.
	noTool := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(noTool, "go.mod"), []byte("module example.com/notools\n\ngo 1.26.0\n"), 0o600)).To(Succeed())
	t.Setenv("GOWORK", "off")

	err := codegen.Verify(t.Context(), codegen.Options{ToolsDir: noTool, ObjectPackages: []string{apiPkg}})
	g.Expect(err).To(MatchError(codegen.ErrGenerate))
	g.Expect(err).To(MatchError(ContainSubstring("controller-gen")))
	var exit *exec.ExitError
	g.Expect(errors.As(err, &exit)).To(BeTrue(), "%v", err)
}

func TestVerifyContextEnded(t *testing.T) {
	requireGo(t)
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := codegen.Verify(ctx, codegen.Options{ToolsDir: tools, ObjectPackages: []string{apiPkg}})
	g.Expect(err).To(MatchError(context.Canceled))
	g.Expect(err).NotTo(MatchError(codegen.ErrGenerate))
}

func TestVerifyInvalidOptions(t *testing.T) {
	tests := []struct {
		name  string
		opts  codegen.Options
		field string
	}{
		{"no ToolsDir", codegen.Options{ObjectPackages: []string{apiPkg}}, "ToolsDir is empty"},
		{"nothing to verify", codegen.Options{ToolsDir: tools}, "nothing to verify"},
		{"Paths without CRDDir", codegen.Options{ToolsDir: tools, Paths: []string{apiPkg}}, "Paths is set without CRDDir"},
		{"CRDDir without Paths", codegen.Options{ToolsDir: tools, CRDDir: crdDir}, "CRDDir is set without Paths"},
		{"empty path", codegen.Options{ToolsDir: tools, CRDDir: crdDir, Paths: []string{apiPkg, ""}}, "Paths[1] is empty"},
		{"empty package", codegen.Options{ToolsDir: tools, ObjectPackages: []string{""}}, "ObjectPackages[0] is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			// Options are checked before the go command is looked for.
			t.Setenv("PATH", t.TempDir())
			err := codegen.Verify(t.Context(), tt.opts)
			g.Expect(err).To(MatchError(codegen.ErrInvalidOptions))
			g.Expect(err).To(MatchError(ContainSubstring(tt.field)))
		})
	}
}

func TestChangeString(t *testing.T) {
	g := NewWithT(t)
	g.Expect(codegen.Missing.String()).To(Equal("missing"))
	g.Expect(codegen.Extra.String()).To(Equal("extra"))
	g.Expect(codegen.Stale.String()).To(Equal("stale"))
	g.Expect(codegen.Change(0).String()).To(Equal("Change(0)"))
}

func TestStaleErrorMessage(t *testing.T) {
	g := NewWithT(t)
	one := &codegen.StaleError{Files: []codegen.FileDiff{{Path: "a.yaml", Change: codegen.Missing, Hint: "generated but not committed"}}}
	g.Expect(one.Error()).To(Equal("verify generated files: 1 file differs from controller-gen's output\n\tmissing a.yaml: generated but not committed"))
	g.Expect(errors.Is(one, codegen.ErrStale)).To(BeTrue())
}
