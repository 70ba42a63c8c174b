package applier

import (
	"errors"

	"github.com/sluice-dev/sluice/version"
)

// isDigestMismatch reports whether err says the artifact's content does not
// have the digest its source announced.
func isDigestMismatch(err error) bool {
	var derr *version.DigestMismatchError
	return errors.As(err, &derr)
}
