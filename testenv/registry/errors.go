package registry

import "errors"

// ErrInvalidOption is returned by [New] when an option has an invalid value
// (an empty user name, a nil hook, ...) or two options conflict
// ([WithReferrersAPI] with [WithFilesystemStorage]). The error message names
// the option. Retrying with the same options fails again.
var ErrInvalidOption = errors.New("invalid registry option")
