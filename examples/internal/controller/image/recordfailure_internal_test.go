package image

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
)

// A failure event is emitted when the Ready condition's status, reason or
// message differs from before, and only then.
func TestRecordFailureOnlyOnChange(t *testing.T) {
	g := NewWithT(t)
	var (
		mu       sync.Mutex
		received []event.Event
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var e event.Event
		if err := json.NewDecoder(req.Body).Decode(&e); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		received = append(received, e)
		mu.Unlock()
	}))
	defer srv.Close()
	scheme := runtime.NewScheme()
	g.Expect(imagev1.AddToScheme(scheme)).To(Succeed())
	rec, err := events.NewRecorder(nil, "image-controller", events.WithWebhook(srv.URL),
		events.WithInsecureHTTP(), events.WithScheme(scheme))
	g.Expect(err).NotTo(HaveOccurred())

	failed := &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: meta.AuthenticationFailedReason, Message: "denied"}
	tests := []struct {
		name   string
		before *metav1.Condition
		emit   bool
	}{
		{name: "first failure", before: nil, emit: true},
		{name: "same failure", before: failed, emit: false},
		{name: "was ready", before: &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.AuthenticationFailedReason, Message: "denied"}, emit: true},
		{name: "other reason", before: &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: ScanFailedReason, Message: "denied"}, emit: true},
		{name: "other message", before: &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: meta.AuthenticationFailedReason, Message: "refused"}, emit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			mu.Lock()
			received = nil
			mu.Unlock()
			obj := &imagev1.ImageRepository{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "app"}}
			_, _ = finish(obj, fail(meta.AuthenticationFailedReason, 0, errors.New("denied")), "", 0)
			g.Expect(conditions.Get(obj, meta.ReadyCondition).Message).To(Equal("denied"))
			recordFailure(t.Context(), rec, nil, obj, tt.before, meta.FailedReason, errors.New("denied"))
			mu.Lock()
			defer mu.Unlock()
			if !tt.emit {
				g.Expect(received).To(BeEmpty())
				return
			}
			g.Expect(received).To(HaveLen(1))
			g.Expect(received[0].Severity).To(Equal(event.SeverityError))
			g.Expect(received[0].Reason).To(Equal(meta.FailedReason))
			g.Expect(received[0].Message).To(Equal("denied"))
		})
	}
}
