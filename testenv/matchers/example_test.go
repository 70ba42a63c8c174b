package matchers_test

import (
	"context"
	"fmt"

	"github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/sluice-dev/sluice/testenv/matchers"
)

func ExampleHaveCondition() {
	conds := []metav1.Condition{{
		Type: "Ready", Status: metav1.ConditionFalse, Reason: "ArtifactFailed", Message: "pull failed: 401",
	}}
	failed, _ := matchers.HaveCondition("Ready", metav1.ConditionFalse).WithReason("ArtifactFailed").Match(conds)
	ready, _ := matchers.HaveCondition("Ready", metav1.ConditionTrue).Match(conds)
	fmt.Println(failed, ready)
	// Output: true false
}

// Exist and BeGone read the object through a client on every match, so
// Gomega's Eventually polls the API server with them; a failed match says
// what was found.
func ExampleExist() {
	ctx := context.Background()
	c := env.Client()
	missing := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "nowhere", Name: "settings"}}

	exist := matchers.Exist(ctx, c)
	ok, err := exist.Match(missing)
	fmt.Println(ok, err)
	fmt.Println(exist.FailureMessage(missing))
	gone, err := matchers.BeGone(ctx, c).Match(missing)
	fmt.Println(gone, err)
	// Output:
	// false <nil>
	// Expected ConfigMap nowhere/settings to exist, it was not found
	// true <nil>
}

// A test waits for an object to appear with its controller caught up, and
// for it to be gone after a delete.
func ExampleBeGone() {
	ctx := context.Background()
	c := env.Client()
	g := gomega.NewGomega(func(message string, _ ...int) { fmt.Println(message) })

	ns, err := env.CreateNamespace(ctx, "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "settings", Labels: map[string]string{"app": "web"}}}
	g.Expect(c.Create(ctx, cm)).To(gomega.Succeed())
	g.Eventually(cm).Should(matchers.Exist(ctx, c).That(matchers.HaveLabel("app", "web")))
	fmt.Println("created")

	g.Expect(c.Delete(ctx, cm)).To(gomega.Succeed())
	g.Eventually(cm).Should(matchers.BeGone(ctx, c))
	fmt.Println("deleted")
	// Output:
	// created
	// deleted
}

// HaveObservedGeneration compares status.observedGeneration with
// metadata.generation, for typed and unstructured objects.
func ExampleHaveObservedGeneration() {
	gadget := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.sluice.dev/v1",
		"kind":       "Gadget",
		"metadata":   map[string]any{"namespace": "default", "name": "g", "generation": int64(3)},
		"status":     map[string]any{"observedGeneration": int64(2)},
	}}
	m := matchers.HaveObservedGeneration()
	ok, _ := m.Match(gadget)
	fmt.Println(ok)
	fmt.Println(m.FailureMessage(gadget))
	// Output:
	// false
	// Expected Gadget default/g to have status.observedGeneration equal to metadata.generation, it has metadata.generation 3 and status.observedGeneration 2
}
