package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/runtime/events"
)

func ExampleRecorder_Event() {
	// A notification receiver that prints what it gets.
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		var e event.Event
		_ = json.NewDecoder(req.Body).Decode(&e)
		fmt.Println(e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Severity, e.Reason, e.Metadata[event.MetadataRevision])
	}))
	defer srv.Close()

	// In a controller, pass mgr.GetEventRecorder("my-controller") instead of nil.
	rec, err := events.NewRecorder(nil, "my-controller",
		events.WithWebhook(srv.URL), events.WithInsecureHTTP()) // httptest serves plain HTTP
	if err != nil {
		fmt.Println(err)
		return
	}
	obj := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "apps"}}
	err = rec.Event(context.Background(), obj, event.SeverityInfo, "ReconciliationSucceeded",
		"applied revision main@sha1:3f8e2a1c", map[string]string{event.MetadataRevision: "main@sha1:3f8e2a1c"})
	fmt.Println(err)
	// Output:
	// ConfigMap app info ReconciliationSucceeded main@sha1:3f8e2a1c
	// <nil>
}

func ExampleDeliveryError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	rec, err := events.NewRecorder(nil, "my-controller", events.WithWebhook(srv.URL), events.WithInsecureHTTP(),
		events.WithRetries(3, 10*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	obj := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "apps"}}
	err = rec.Event(context.Background(), obj, event.SeverityError, "ApplyFailed", "apply failed", nil)
	if derr, ok := errors.AsType[*events.DeliveryError](err); ok {
		fmt.Println(derr.Attempts, derr.StatusCode, errors.Is(err, events.ErrUnexpectedStatus))
	}
	// Output:
	// 3 503 true
}
