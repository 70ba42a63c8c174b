package acl

import (
	"errors"
	"fmt"
)

// ErrAccessDenied is matched, through errors.Is, by every [*AccessDeniedError].
var ErrAccessDenied = errors.New("cross-namespace access denied")

// Reasons an [*AccessDeniedError] carries; stable, so callers may put them
// in conditions and alert on them.
const (
	// ReasonCrossNamespaceRefsDisabled means the operator turned cross-namespace
	// references off with [WithNoCrossNamespaceRefs].
	ReasonCrossNamespaceRefsDisabled = "CrossNamespaceRefsDisabled"

	// ReasonNoAccessFrom means the target grants no cross-namespace access.
	ReasonNoAccessFrom = "NoAccessFrom"

	// ReasonNamespaceNotSelected means the target's AccessFrom does not select
	// the referring namespace.
	ReasonNamespaceNotSelected = "NamespaceNotSelected"
)

// AccessDeniedError reports a cross-namespace reference that is not allowed.
// It matches [ErrAccessDenied].
type AccessDeniedError struct {
	// From is the namespace of the referring object.
	From string
	// Target is the referred object as namespace/name.
	Target string
	// Reason is one of the Reason constants.
	Reason string
}

// Error describes the denial.
func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("authorize reference from namespace %q to %s: %s (%s)", e.From, e.Target, ErrAccessDenied, e.Reason)
}

// Is reports whether target is [ErrAccessDenied].
func (e *AccessDeniedError) Is(target error) bool { return target == ErrAccessDenied }
