package acl

import (
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ErrAccessDenied is matched, through errors.Is, by every [*AccessDeniedError].
var ErrAccessDenied = errors.New("cross-namespace access denied")

// Reasons an [*AccessDeniedError] carries: stable details of a denial,
// equal to apis/meta's *Detail constants. A controller reports a denial
// with the condition reason [meta.AccessDeniedReason] and puts the error,
// which names the detail, in the message.
const (
	// ReasonCrossNamespaceRefsDisabled means the operator turned cross-namespace
	// references off with [WithNoCrossNamespaceRefs].
	ReasonCrossNamespaceRefsDisabled = meta.CrossNamespaceRefsDisabledDetail

	// ReasonNoAccessFrom means the target grants no cross-namespace access.
	ReasonNoAccessFrom = meta.NoAccessFromDetail

	// ReasonNamespaceNotSelected means the target's AccessFrom does not select
	// the referring namespace.
	ReasonNamespaceNotSelected = meta.NamespaceNotSelectedDetail
)

// AccessDeniedError reports a cross-namespace reference that is not allowed.
// It matches [ErrAccessDenied]; its condition reason is
// [meta.AccessDeniedReason].
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
