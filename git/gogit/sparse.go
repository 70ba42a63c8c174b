package gogit

import (
	"fmt"
	"path"
	"strings"

	"github.com/sluice-dev/sluice/git"
)

// sparseDirs validates CloneOptions.SparseDirectories and returns them
// cleaned, each with a trailing slash, as go-git matches them as path
// prefixes: "app/" must not also select "app.yaml" or "apps/".
func sparseDirs(dirs []string) ([]string, error) {
	if len(dirs) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		clean := path.Clean(d)
		switch {
		case d == "", strings.HasPrefix(d, "/"), strings.Contains(d, "\\"),
			clean == ".", clean == "..", strings.HasPrefix(clean, "../"):
			return nil, fmt.Errorf("sparse directory %q: not a relative directory inside the repository: %w", d, git.ErrInvalidOptions)
		}
		for _, part := range strings.Split(clean, "/") {
			if strings.EqualFold(part, ".git") {
				return nil, fmt.Errorf("sparse directory %q: not a relative directory inside the repository: %w", d, git.ErrInvalidOptions)
			}
		}
		out = append(out, clean+"/")
	}
	return out, nil
}

// inSparse reports whether the slash-separated path p lies inside one of
// the sparse directories dirs (as sparseDirs returns them), or dirs is
// empty.
func inSparse(dirs []string, p string) bool {
	if len(dirs) == 0 {
		return true
	}
	for _, d := range dirs {
		if strings.HasPrefix(p+"/", d) {
			return true
		}
	}
	return false
}
