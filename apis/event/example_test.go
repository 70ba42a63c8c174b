package event_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/event"
)

func ExampleEvent() {
	e := event.Event{
		InvolvedObject:      corev1.ObjectReference{Kind: "Kustomization", Namespace: "apps", Name: "podinfo"},
		Severity:            event.SeverityInfo,
		Timestamp:           metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		Message:             "applied revision main@sha1:3f8e2a1c",
		Reason:              "ReconciliationSucceeded",
		Metadata:            map[string]string{event.MetadataRevision: "main@sha1:3f8e2a1c"},
		ReportingController: "kustomize-controller",
	}
	if err := e.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	body, _ := json.Marshal(e)
	fmt.Println(string(body))
	// Output:
	// {"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"podinfo"},"severity":"info","timestamp":"2026-01-02T03:04:05Z","message":"applied revision main@sha1:3f8e2a1c","reason":"ReconciliationSucceeded","metadata":{"event.sluice.dev/revision":"main@sha1:3f8e2a1c"},"reportingController":"kustomize-controller"}
}

func ExampleEvent_Validate() {
	e := event.Event{Severity: "warning"}
	err := e.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, event.ErrMissingField))
	// Output:
	// validate event: involvedObject.kind: required field is empty
	// true
}

func ExampleTruncate() {
	fmt.Println(event.Truncate(strings.Repeat("é", 10), 16))
	// Output:
	// éé [truncated]
}

func ExampleMetadataFromAnnotations() {
	annotations := map[string]string{
		"event.sluice.dev/team": "payments",
		"example.com/other":     "not selected",
	}
	fmt.Println(event.MetadataFromAnnotations(annotations, event.MetadataPrefix))
	// Output:
	// map[event.sluice.dev/team:payments]
}
