// Package matchers holds Gomega matchers for Kubernetes objects and their
// status conditions, so that Sluice's library packages need Gomega only in
// their tests.
//
//	g.Eventually(func() *v1.MyObject { ... }).Should(matchers.BeReady())
//	g.Expect(obj).To(matchers.HaveCondition("Ready", metav1.ConditionFalse).WithReason("ArtifactFailed"))
//	g.Expect(err).To(matchers.BeNotFound())
//
// Condition matchers accept an object with a GetConditions() []metav1.Condition
// method, an object whose status.conditions holds conditions (typed through
// runtime.DefaultUnstructuredConverter, or *unstructured.Unstructured), or a
// []metav1.Condition.
//
// # Errors
//
// A matcher returns an error (a failed assertion that says why) when the
// actual value holds no conditions it can read.
package matchers
