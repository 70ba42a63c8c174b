package applier_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apievent "github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
)

// eventReceiver is a notification webhook that keeps the events posted to
// it.
type eventReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	events []apievent.Event
}

func newEventReceiver(t *testing.T) *eventReceiver {
	t.Helper()
	rcv := &eventReceiver{}
	rcv.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e apievent.Event
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rcv.mu.Lock()
		rcv.events = append(rcv.events, e)
		rcv.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(rcv.srv.Close)
	return rcv
}

// of returns the events about the Sync s with severity.
func (rcv *eventReceiver) of(s client.Object, severity string) []apievent.Event {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	var out []apievent.Event
	for _, e := range rcv.events {
		if e.InvolvedObject.Kind == applyv1.SyncKind && e.InvolvedObject.Namespace == s.GetNamespace() &&
			e.InvolvedObject.Name == s.GetName() && e.Severity == severity {
			out = append(out, e)
		}
	}
	return out
}

// TestSyncFailureEventsOnChange checks that Syncs failing the same way at
// every attempt, stalled or retried, emit one error event, and a new one
// only when the failure changes.
func TestSyncFailureEventsOnChange(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "events")
	rcv := newEventReceiver(t)
	startControllerWithEvents(t, flags.AccessOptions{},
		[]events.Option{events.WithWebhook(rcv.srv.URL), events.WithInsecureHTTP()}, ns)
	fast := func(s *applyv1.Sync) {
		s.Spec.Interval = metav1.Duration{Duration: time.Second}
		s.Spec.RetryInterval = &metav1.Duration{Duration: time.Second}
	}

	// Stalled: the path is missing from the artifact.
	stalledSrv := newArtifactServer(t)
	art := stalledSrv.publish(t, map[string]string{"deploy/cm.yaml": configMap("evt", "k", "v")})
	setArtifact(t, ns, "stalled", art)
	broken := newSync(ns, "broken", "stalled", fast, func(s *applyv1.Sync) { s.Spec.Path = "no/such/dir" })
	g.Expect(c.Create(ctx, broken)).To(Succeed())

	// Retried: the artifact does not have its announced digest.
	badSrv := newArtifactServer(t)
	good := badSrv.publish(t, map[string]string{"cm.yaml": configMap("tampered", "k", "v")})
	other := badSrv.publish(t, map[string]string{"cm.yaml": configMap("other", "k", "v")})
	bad := good.DeepCopy()
	bad.Digest = other.Digest
	setArtifact(t, ns, "tampered", bad)
	tampered := newSync(ns, "tampered", "tampered", fast)
	g.Expect(c.Create(ctx, tampered)).To(Succeed())

	eventuallyFailed(t, broken, applyv1.BuildFailedReason)
	eventuallyFailed(t, tampered, meta.VerificationFailedReason)
	// Every attempt downloads the artifact: wait for several of them.
	g.Eventually(func(g Gomega) {
		g.Expect(stalledSrv.downloads()).To(BeNumerically(">=", 4))
		g.Expect(badSrv.downloads()).To(BeNumerically(">=", 4))
	}, 30*time.Second, 200*time.Millisecond).Should(Succeed())

	stalledEvents := rcv.of(broken, apievent.SeverityError)
	g.Expect(stalledEvents).To(HaveLen(1))
	g.Expect(stalledEvents[0].Reason).To(Equal(applyv1.BuildFailedReason))
	g.Expect(stalledEvents[0].Message).To(ContainSubstring("no/such/dir"))
	tamperedEvents := rcv.of(tampered, apievent.SeverityError)
	g.Expect(tamperedEvents).To(HaveLen(1))
	g.Expect(tamperedEvents[0].Reason).To(Equal(meta.VerificationFailedReason))

	// A different failure is a new event.
	got := getSync(g, broken)
	got.Spec.Path = "other/missing"
	g.Expect(c.Update(ctx, got)).To(Succeed())
	g.Eventually(func(g Gomega) {
		evs := rcv.of(broken, apievent.SeverityError)
		g.Expect(evs).To(HaveLen(2))
		g.Expect(evs[1].Message).To(ContainSubstring("other/missing"))
	}, 20*time.Second, 200*time.Millisecond).Should(Succeed())

	// Success events are unchanged, and a later identical failure after a
	// success is reported again.
	got = getSync(g, broken)
	got.Spec.Path = "deploy"
	g.Expect(c.Update(ctx, got)).To(Succeed())
	eventuallyReady(t, broken, art.Revision)
	g.Eventually(func() []apievent.Event { return rcv.of(broken, apievent.SeverityInfo) }, 20*time.Second, 200*time.Millisecond).
		Should(ContainElement(HaveField("Reason", meta.ReconciliationSucceededReason)))
	got = getSync(g, broken)
	got.Spec.Path = "other/missing"
	g.Expect(c.Update(ctx, got)).To(Succeed())
	g.Eventually(func() []apievent.Event { return rcv.of(broken, apievent.SeverityError) }, 20*time.Second, 200*time.Millisecond).
		Should(HaveLen(3))
	before := stalledSrv.downloads()
	g.Eventually(stalledSrv.downloads, 20*time.Second, 200*time.Millisecond).Should(BeNumerically(">=", before+2))
	g.Expect(rcv.of(broken, apievent.SeverityError)).To(HaveLen(3))
}
