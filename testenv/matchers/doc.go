// Package matchers holds Gomega matchers for Kubernetes objects, their
// status conditions and API errors, so that Sluice's library packages need
// Gomega only in their tests.
//
//	g.Eventually(obj).Should(matchers.Exist(ctx, c).That(matchers.BeReady()))
//	g.Expect(obj).To(matchers.HaveCondition("Ready", metav1.ConditionFalse).WithReason("ArtifactFailed"))
//	g.Eventually(obj).Should(matchers.BeGone(ctx, c))
//	g.Expect(err).To(matchers.BeNotFound())
//
// # Objects through a client
//
// [Exist] and [BeGone] take a ctx and a controller-runtime client.Reader
// and read the actual object (a typed object, or an
// *unstructured.Unstructured with its kind set) by namespace and name on
// every match, into a copy, so Gomega's Eventually polls the API server or
// a cache with them. [ExistMatcher.That] applies further matchers to the
// object read, such as [HaveObservedGeneration], [BeReady] or
// [HaveLabel]. BeGone also holds when an object with the same key but a
// new UID took the old one's place, and its failure message names the
// finalizers that hold a deletion.
//
// # Objects as they are
//
// [HaveObservedGeneration] (status.observedGeneration equal to
// metadata.generation), [HaveLabel], [HaveAnnotation], [HaveFinalizer],
// [HaveOwnerReference] and [BeControlledBy] look at the value they are
// given.
//
// Condition matchers accept an object with a GetConditions() []metav1.Condition
// method, an object whose status.conditions holds conditions (typed through
// runtime.DefaultUnstructuredConverter, or *unstructured.Unstructured), or a
// []metav1.Condition.
//
// Failure messages name the object as "Kind namespace/name": the kind comes
// from the object, else from the scheme of the client (when the reader is a
// client.Client) or client-go's scheme, else its Go type.
//
// # Concurrency
//
// A matcher remembers its last match for its failure message, as Gomega's
// own matchers do: use each one in one assertion at a time.
//
// # Errors
//
// A matcher returns an error (a failed assertion that says why) when the
// actual value holds no conditions it can read, is not a Kubernetes object
// where one is needed, or when the client's read fails with anything but
// NotFound (forbidden, a kind the API server does not serve, ctx done).
package matchers
