package conditions_test

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
)

func Example() {
	w := &testapi.Widget{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "web", Generation: 2}}
	opts := conditions.SummaryOptions{
		Conditions:       []string{meta.ArtifactInStorageCondition},
		NegativePolarity: []string{meta.FetchFailedCondition},
	}

	conditions.MarkReconciling(w, meta.ProgressingReason, "fetching revision %s", "main@sha1:abc")
	conditions.SetSummary(w, opts)
	fmt.Println("Ready:", conditions.Get(w, meta.ReadyCondition).Status, conditions.GetReason(w, meta.ReadyCondition))

	conditions.MarkTrue(w, meta.FetchFailedCondition, meta.AuthenticationFailedReason, "401 from %s", "git.example.com")
	conditions.SetSummary(w, opts)
	fmt.Println("Ready:", conditions.Get(w, meta.ReadyCondition).Status, conditions.GetReason(w, meta.ReadyCondition))

	conditions.Delete(w, meta.FetchFailedCondition)
	conditions.MarkTrue(w, meta.ArtifactInStorageCondition, meta.SucceededReason, "stored main@sha1:abc")
	conditions.Delete(w, meta.ReconcilingCondition)
	conditions.SetSummary(w, opts)
	fmt.Println("Ready:", conditions.Get(w, meta.ReadyCondition).Status, conditions.GetMessage(w, meta.ReadyCondition))
	fmt.Println("kstatus:", conditions.CheckKstatus(w))

	w.Generation = 3
	fmt.Println("kstatus:", conditions.CheckKstatus(w))
	// Output:
	// Ready: Unknown Progressing
	// Ready: False AuthenticationFailed
	// Ready: True stored main@sha1:abc
	// kstatus: <nil>
	// kstatus: check kstatus of apps/web: ReadyStale(Ready): observedGeneration 2, generation 3, and not Reconciling or Stalled
}

func ExampleMarkStalled() {
	w := &testapi.Widget{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
	conditions.MarkReconciling(w, meta.ProgressingReason, "working")
	conditions.MarkStalled(w, meta.InvalidConfigReason, "spec.url: %s", "not a URL")
	fmt.Println(conditions.Has(w, meta.ReconcilingCondition), conditions.IsTrue(w, meta.StalledCondition))
	// Output: false true
}
