package codegen

import (
	"fmt"
	"path/filepath"
)

// Options says what [Verify] regenerates and where the committed copies
// live. Relative folders are relative to the working directory (a test's
// package folder under go test).
type Options struct {
	// ToolsDir is the folder of the Go module that declares controller-gen
	// as a tool (a go.mod line `tool sigs.k8s.io/controller-tools/cmd/controller-gen`),
	// so the pinned version runs as `go -C ToolsDir tool controller-gen`.
	// controller-gen loads the packages from there, so they must belong to
	// that module or to a go.work workspace that holds it: a project whose
	// own go.mod declares the tool passes its module root. Required.
	ToolsDir string

	// Paths are the controller-gen paths= arguments the CRDs are generated
	// from: package folders, or folders ending in "/..." for a tree.
	// Required with CRDDir, and only allowed with it. Default: none.
	Paths []string

	// CRDDir is the folder holding the committed CRDs. Every *.yaml file in
	// it must be one controller-gen generates from Paths, byte for byte,
	// and every generated CRD must be there. Default: "", CRDs are not
	// checked.
	CRDDir string

	// ObjectPackages are package folders whose zz_generated.deepcopy.go is
	// checked. Each is generated on its own, since controller-gen's
	// output:object:dir names one folder for every package it is given. A
	// package for which controller-gen generates nothing must not hold the
	// file. Default: none.
	ObjectPackages []string

	// Go is the go command that runs controller-gen, a path or a name
	// looked up on PATH. Default: "go" looked up on PATH.
	Go string

	// Regenerate tells a reader how to bring stale files up to date, for
	// example a make target or a controller-gen command line; it ends the
	// [StaleError] message. Default: none.
	Regenerate string
}

// paths are Options with every folder made absolute, since controller-gen
// runs in ToolsDir.
type paths struct {
	tools    string
	crdPaths []string
	crdDir   string
	objects  []string
}

// validate checks o and returns its folders made absolute.
func (o Options) validate() (paths, error) {
	var p paths
	if o.ToolsDir == "" {
		return p, fmt.Errorf("%w: ToolsDir is empty", ErrInvalidOptions)
	}
	if o.CRDDir == "" && len(o.Paths) > 0 {
		return p, fmt.Errorf("%w: Paths is set without CRDDir (Paths are where CRDs are generated from)", ErrInvalidOptions)
	}
	if o.CRDDir != "" && len(o.Paths) == 0 {
		return p, fmt.Errorf("%w: CRDDir is set without Paths to generate the CRDs from", ErrInvalidOptions)
	}
	if o.CRDDir == "" && len(o.ObjectPackages) == 0 {
		return p, fmt.Errorf("%w: nothing to verify: set CRDDir and Paths, or ObjectPackages", ErrInvalidOptions)
	}
	var err error
	if p.tools, err = abs("ToolsDir", o.ToolsDir); err != nil {
		return p, err
	}
	if o.CRDDir != "" {
		if p.crdDir, err = abs("CRDDir", o.CRDDir); err != nil {
			return p, err
		}
	}
	for i, dir := range o.Paths {
		a, err := abs(fmt.Sprintf("Paths[%d]", i), dir)
		if err != nil {
			return p, err
		}
		p.crdPaths = append(p.crdPaths, a)
	}
	for i, dir := range o.ObjectPackages {
		a, err := abs(fmt.Sprintf("ObjectPackages[%d]", i), dir)
		if err != nil {
			return p, err
		}
		p.objects = append(p.objects, a)
	}
	return p, nil
}

func abs(field, dir string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("%w: %s is empty", ErrInvalidOptions, field)
	}
	a, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %s %q: %w", ErrInvalidOptions, field, dir, err)
	}
	return a, nil
}
