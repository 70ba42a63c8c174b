package event_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/event"
)

func validEvent() event.Event {
	return event.Event{
		InvolvedObject: corev1.ObjectReference{
			APIVersion: "source.sluice.dev/v1",
			Kind:       "GitRepository",
			Namespace:  "apps",
			Name:       "podinfo",
			UID:        "5d8f3c4e-1b2a-4c6d-9e8f-0a1b2c3d4e5f",
		},
		Severity:  event.SeverityInfo,
		Timestamp: metav1.NewTime(time.Date(2026, 11, 24, 1, 2, 3, 0, time.UTC)),
		Message:   "stored artifact for revision 'main@sha1:3f8e2a1c'",
		Reason:    "ArtifactUpToDate",
		Metadata: map[string]string{
			event.MetadataRevision: "main@sha1:3f8e2a1c",
			event.MetadataDigest:   "sha256:0a1b2c3d",
		},
		ReportingController: "source-controller",
		ReportingInstance:   "source-controller-7d9f8c-abcde",
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	minimal := validEvent()
	minimal.Metadata = nil
	minimal.ReportingInstance = ""
	unicode := validEvent()
	unicode.Message = "déploiement échoué: 数据 ✓ \"quoted\" <html>&"
	long := validEvent()
	long.Message = strings.Repeat("x", event.MaxMessageSize)

	for name, in := range map[string]event.Event{
		"full":    validEvent(),
		"minimal": minimal,
		"unicode": unicode,
		"longest": long,
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(in.Validate()).To(Succeed())
			data, err := json.Marshal(in)
			g.Expect(err).NotTo(HaveOccurred())
			var out event.Event
			g.Expect(json.Unmarshal(data, &out)).To(Succeed())
			g.Expect(out.Validate()).To(Succeed())
			g.Expect(out.Timestamp.Equal(&in.Timestamp)).To(BeTrue())
			out.Timestamp = in.Timestamp
			g.Expect(out).To(Equal(in))
		})
	}
}

func TestEventJSONOmitsOptionalFields(t *testing.T) {
	g := NewWithT(t)
	e := validEvent()
	e.Metadata = nil
	e.ReportingInstance = ""
	data, err := json.Marshal(e)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(data)).NotTo(ContainSubstring("metadata"))
	g.Expect(string(data)).NotTo(ContainSubstring("reportingInstance"))
}

// TestEventGolden pins the wire format: run with UPDATE_GOLDEN=1 to accept a
// deliberate change, and review the diff.
func TestEventGolden(t *testing.T) {
	g := NewWithT(t)
	golden := filepath.Join("testdata", "event.golden.json")
	got, err := json.MarshalIndent(validEvent(), "", "  ")
	g.Expect(err).NotTo(HaveOccurred())
	got = append(got, '\n')
	if os.Getenv("UPDATE_GOLDEN") != "" {
		g.Expect(os.WriteFile(golden, got, 0o600)).To(Succeed())
	}
	want, err := os.ReadFile(golden)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(got)).To(Equal(string(want)), "the wire format changed")

	var decoded event.Event
	g.Expect(json.Unmarshal(want, &decoded)).To(Succeed())
	g.Expect(decoded.Validate()).To(Succeed())
	g.Expect(decoded.InvolvedObject).To(Equal(validEvent().InvolvedObject))
	g.Expect(decoded.Metadata).To(Equal(validEvent().Metadata))
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*event.Event)
		field  string
		want   error
	}{
		{"no kind", func(e *event.Event) { e.InvolvedObject.Kind = "" }, "involvedObject.kind", event.ErrMissingField},
		{"no name", func(e *event.Event) { e.InvolvedObject.Name = "" }, "involvedObject.name", event.ErrMissingField},
		{"no severity", func(e *event.Event) { e.Severity = "" }, "severity", event.ErrMissingField},
		{"unknown severity", func(e *event.Event) { e.Severity = "warning" }, "severity", event.ErrInvalidSeverity},
		{"no timestamp", func(e *event.Event) { e.Timestamp = metav1.Time{} }, "timestamp", event.ErrMissingField},
		{"no message", func(e *event.Event) { e.Message = "" }, "message", event.ErrMissingField},
		{"message too long", func(e *event.Event) { e.Message = strings.Repeat("x", event.MaxMessageSize+1) }, "message", event.ErrMessageTooLong},
		{"message not UTF-8", func(e *event.Event) { e.Message = "bad \xff byte" }, "message", event.ErrInvalidMessage},
		{"no reason", func(e *event.Event) { e.Reason = "" }, "reason", event.ErrMissingField},
		{"no controller", func(e *event.Event) { e.ReportingController = "" }, "reportingController", event.ErrMissingField},
		{"blank metadata key", func(e *event.Event) { e.Metadata[" "] = "v" }, "metadata", event.ErrInvalidMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			e := validEvent()
			tt.mutate(&e)
			err := e.Validate()
			g.Expect(err).To(MatchError(tt.want))
			var verr *event.ValidationError
			g.Expect(errors.As(err, &verr)).To(BeTrue())
			g.Expect(verr.Field).To(Equal(tt.field))
			g.Expect(err.Error()).To(HavePrefix("validate event: " + tt.field))
		})
	}
}

func TestValidSeverity(t *testing.T) {
	g := NewWithT(t)
	for _, s := range []string{event.SeverityTrace, event.SeverityInfo, event.SeverityError} {
		g.Expect(event.ValidSeverity(s)).To(BeTrue(), s)
	}
	for _, s := range []string{"", "Info", "warning", "debug"} {
		g.Expect(event.ValidSeverity(s)).To(BeFalse(), s)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "hello", 5, "hello"},
		{"empty", "", 3, ""},
		{"zero limit", "hello", 0, ""},
		{"negative limit", "hello", -1, ""},
		{"ascii", strings.Repeat("a", 20), 15, "aaa" + event.TruncationMarker},
		{"limit below marker", "abcdefghijklmnopqrstuvwxyz", 5, "abcde"},
		// "é" is two bytes; cutting after 4 bytes would split the third one.
		{"multibyte boundary", "ééééééééééé", 5 + len(event.TruncationMarker), "éé" + event.TruncationMarker},
		{"multibyte short limit", "日本語", 4, "日"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			got := event.Truncate(tt.in, tt.limit)
			g.Expect(got).To(Equal(tt.want))
			g.Expect(utf8.ValidString(got)).To(BeTrue())
			g.Expect(len(got)).To(BeNumerically("<=", max(tt.limit, 0)))
		})
	}
}

func TestTruncateMessage(t *testing.T) {
	g := NewWithT(t)
	e := validEvent()
	e.Message = strings.Repeat("ü", event.MaxMessageSize)
	g.Expect(e.Validate()).To(MatchError(event.ErrMessageTooLong))
	e.TruncateMessage()
	g.Expect(e.Validate()).To(Succeed())
	g.Expect(e.Message).To(HaveSuffix(event.TruncationMarker))
}

func TestMetadataFromAnnotations(t *testing.T) {
	annotations := map[string]string{
		event.MetadataPrefix + "team": "payments",
		event.MetadataRevision:        "main@sha1:abc",
		"other.example.com/team":      "ignored",
		"event.sluice.dev":            "no slash, ignored",
	}
	tests := []struct {
		name   string
		in     map[string]string
		prefix string
		want   map[string]string
	}{
		{"standard prefix", annotations, event.MetadataPrefix, map[string]string{
			event.MetadataPrefix + "team": "payments",
			event.MetadataRevision:        "main@sha1:abc",
		}},
		{"custom prefix", annotations, "other.example.com/", map[string]string{"other.example.com/team": "ignored"}},
		{"empty prefix", annotations, "", nil},
		{"no match", annotations, "none/", nil},
		{"nil map", nil, event.MetadataPrefix, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(event.MetadataFromAnnotations(tt.in, tt.prefix)).To(Equal(tt.want))
		})
	}
	NewWithT(t).Expect(annotations).To(HaveLen(4), "input must not change")
}
