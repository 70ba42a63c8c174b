package v1_test

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
)

// A Sync's defaults: prune on, retries and timeout at the interval, the
// source in the Sync's namespace.
func ExampleSync() {
	s := &applyv1.Sync{
		ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "web"},
		Spec: applyv1.SyncSpec{
			SourceRef: applyv1.SourceReference{Kind: "GitRepository", Name: "repo"},
			Interval:  metav1.Duration{Duration: 5 * time.Minute},
		},
	}
	fmt.Println(s.PruneEnabled(), s.RetryInterval(), s.Timeout(), s.SourceNamespace())

	s.Spec.Prune = ptr.To(false)
	s.Spec.RetryInterval = &metav1.Duration{Duration: 30 * time.Second}
	s.Spec.Timeout = &metav1.Duration{Duration: time.Minute}
	s.Spec.SourceRef.Namespace = "sources"
	fmt.Println(s.PruneEnabled(), s.RetryInterval(), s.Timeout(), s.SourceNamespace())
	// Output:
	// true 5m0s 5m0s apps
	// false 30s 1m0s sources
}

func ExampleAddToScheme() {
	s := runtime.NewScheme()
	if err := applyv1.AddToScheme(s); err != nil {
		panic(err)
	}
	fmt.Println(s.Recognizes(applyv1.GroupVersion().WithKind(applyv1.SyncKind)))
	// Output: true
}
