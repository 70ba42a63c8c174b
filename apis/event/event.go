package event

import (
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Severities of an event.
const (
	// SeverityTrace marks progress worth a Kubernetes event but not a
	// notification; controllers never post trace events to a receiver.
	SeverityTrace string = "trace"

	// SeverityInfo marks a normal outcome, such as a successful
	// reconciliation.
	SeverityInfo string = "info"

	// SeverityError marks a failure that a person may need to act on.
	SeverityError string = "error"
)

// MaxMessageSize is the largest Event.Message, in bytes, that
// [Event.Validate] accepts: 32 KiB. [Truncate] shortens longer messages.
const MaxMessageSize = 32 * 1024

// TruncationMarker ends a message that [Truncate] shortened.
const TruncationMarker = " [truncated]"

// Event is the payload a controller posts to a notification receiver. Its
// JSON encoding is the wire format described in the package documentation.
type Event struct {
	// InvolvedObject is the object the event is about. Kind and Name are
	// required.
	InvolvedObject corev1.ObjectReference `json:"involvedObject"`

	// Severity is one of SeverityTrace, SeverityInfo or SeverityError.
	Severity string `json:"severity"`

	// Timestamp is when the event happened. It is encoded with second
	// precision.
	Timestamp metav1.Time `json:"timestamp"`

	// Message is the human-readable description, at most MaxMessageSize
	// bytes of UTF-8.
	Message string `json:"message"`

	// Reason is a short CamelCase machine-readable cause, for example
	// "ReconciliationSucceeded".
	Reason string `json:"reason"`

	// Metadata holds extra facts about the event; the standard keys are the
	// Metadata* constants. Empty by default.
	Metadata map[string]string `json:"metadata,omitempty"`

	// ReportingController is the name of the controller that emitted the
	// event, for example "kustomize-controller".
	ReportingController string `json:"reportingController"`

	// ReportingInstance identifies the controller replica that emitted the
	// event, for example its pod name. Empty by default.
	ReportingInstance string `json:"reportingInstance,omitempty"`
}

// ValidSeverity reports whether s is one of the defined severities.
func ValidSeverity(s string) bool {
	switch s {
	case SeverityTrace, SeverityInfo, SeverityError:
		return true
	}
	return false
}

// Validate checks that e can be sent: the required fields are set, the
// severity is known, the message fits in MaxMessageSize and is valid UTF-8,
// and no metadata key is empty.
//
// It returns nil or the first problem found as a [*ValidationError] that
// wraps [ErrMissingField], [ErrInvalidSeverity], [ErrMessageTooLong],
// [ErrInvalidMessage] or [ErrInvalidMetadata].
func (e *Event) Validate() error {
	switch {
	case e.InvolvedObject.Kind == "":
		return &ValidationError{Field: "involvedObject.kind", Err: ErrMissingField}
	case e.InvolvedObject.Name == "":
		return &ValidationError{Field: "involvedObject.name", Err: ErrMissingField}
	case e.Severity == "":
		return &ValidationError{Field: "severity", Err: ErrMissingField}
	case !ValidSeverity(e.Severity):
		return &ValidationError{Field: "severity", Value: e.Severity, Err: ErrInvalidSeverity}
	case e.Timestamp.IsZero():
		return &ValidationError{Field: "timestamp", Err: ErrMissingField}
	case e.Message == "":
		return &ValidationError{Field: "message", Err: ErrMissingField}
	case len(e.Message) > MaxMessageSize:
		return &ValidationError{Field: "message", Err: ErrMessageTooLong}
	case !utf8.ValidString(e.Message):
		return &ValidationError{Field: "message", Err: ErrInvalidMessage}
	case e.Reason == "":
		return &ValidationError{Field: "reason", Err: ErrMissingField}
	case e.ReportingController == "":
		return &ValidationError{Field: "reportingController", Err: ErrMissingField}
	}
	for k := range e.Metadata {
		if strings.TrimSpace(k) == "" {
			return &ValidationError{Field: "metadata", Value: k, Err: ErrInvalidMetadata}
		}
	}
	return nil
}

// Truncate returns s unchanged when it is at most limit bytes long, and
// otherwise the longest prefix of s that, followed by [TruncationMarker],
// fits in limit bytes. It never splits a UTF-8 sequence. When limit is
// smaller than the marker, the result is a prefix of s alone.
func Truncate(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if len(s) <= limit {
		return s
	}
	marker := TruncationMarker
	if limit < len(marker) {
		marker = ""
	}
	cut := limit - len(marker)
	// Step back to the start of a rune so the prefix stays valid UTF-8.
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + marker
}

// TruncateMessage shortens e.Message with [Truncate] so that it fits in
// MaxMessageSize.
func (e *Event) TruncateMessage() {
	e.Message = Truncate(e.Message, MaxMessageSize)
}
