package config

import (
	"embed"
	"io/fs"
)

//go:embed crd/*.yaml
var crds embed.FS

// CRDs returns the example controllers' CRDs: one YAML file per kind, at the
// root of the returned file system.
func CRDs() fs.FS {
	sub, err := fs.Sub(crds, "crd")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "crd" is valid.
		return crds
	}
	return sub
}
