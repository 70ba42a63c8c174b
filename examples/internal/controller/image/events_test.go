package image_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/matchers"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// receiver is a notification receiver keeping the events posted to it.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	events []event.Event
}

func newReceiver() *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var e event.Event
		if err := json.NewDecoder(req.Body).Decode(&e); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.events = append(r.events, e)
		r.mu.Unlock()
	}))
	return r
}

// errorEvents returns the error events received about the object of kind
// kind named key.
func (r *receiver) errorEvents(kind string, key client.ObjectKey) []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.Event
	for _, e := range r.events {
		o := e.InvolvedObject
		if e.Severity == event.SeverityError && o.Kind == kind && o.Namespace == key.Namespace && o.Name == key.Name {
			out = append(out, e)
		}
	}
	return out
}

func TestImageRepositoryFailureEventOnlyOnChange(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	var requests atomic.Int64
	reg := newRegistry(t, registry.WithUser("bot", "s3cret"),
		registry.WithRequestHook(func(*http.Request) { requests.Add(1) }))
	pushTags(t, reg, "private/app", "1")
	ns := newNamespace(t)

	// Without credentials every scan fails the same way; the controller
	// retries with its backoff, several times a second at first.
	repo := newImageRepository(ns, "failing", reg.Host()+"/private/app")
	g.Expect(k8s.Create(ctx, repo)).To(Succeed())
	key := client.ObjectKeyFromObject(repo)
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, key, repo)).To(Succeed())
		g.Expect(repo).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.AuthenticationFailedReason))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	start := requests.Load()
	g.Eventually(requests.Load).WithTimeout(waitTimeout).WithPolling(poll).Should(BeNumerically(">=", start+10),
		"the registry should see several more scans")
	// Each scan posts its event before the next one starts.
	evs := received.errorEvents(imagev1.ImageRepositoryKind, key)
	g.Expect(evs).To(HaveLen(1), "one error event for a failure repeating over several scans")
	g.Expect(evs[0].Reason).To(Equal(meta.FailedReason))
	g.Expect(evs[0].Message).To(Equal(conditions.GetMessage(repo, meta.ReadyCondition)))

	// A different failure is reported again.
	g.Expect(k8s.Get(ctx, key, repo)).To(Succeed())
	repo.Spec.SecretRef = &meta.LocalObjectReference{Name: "absent"}
	g.Expect(k8s.Update(ctx, repo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, key, repo)).To(Succeed())
		g.Expect(repo).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
			WithReason(meta.InvalidConfigReason).WithMessage("absent").ForCurrentGeneration())
		settled(g, repo)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	g.Eventually(func(g Gomega) {
		evs := received.errorEvents(imagev1.ImageRepositoryKind, key)
		g.Expect(evs).To(HaveLen(2))
		g.Expect(evs[1].Message).To(Equal(conditions.GetMessage(repo, meta.ReadyCondition)))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}
