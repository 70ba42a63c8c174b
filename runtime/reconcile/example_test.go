package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/internal/testapi"
	"github.com/sluice-dev/sluice/runtime/reconcile"
)

func ExampleResultFor() {
	errInvalid := errors.New("spec.url: not a URL")
	errNotReady := errors.New("dependency apps/db is not Ready")

	for _, err := range []error{
		nil,
		reconcile.Terminal(errInvalid),
		reconcile.Retryable(errNotReady, 30*time.Second),
		errors.New("connection refused"),
	} {
		res, err := reconcile.ResultFor(err)
		fmt.Printf("requeueAfter=%s err=%v terminal=%t\n", res.RequeueAfter, err, reconcile.IsTerminal(err))
	}
	// Output:
	// requeueAfter=0s err=<nil> terminal=false
	// requeueAfter=0s err=terminal error: spec.url: not a URL terminal=true
	// requeueAfter=30s err=<nil> terminal=false
	// requeueAfter=0s err=connection refused terminal=false
}

func ExampleRequeueAfter() {
	res := reconcile.RequeueAfter(10*time.Minute, 10)
	fmt.Println(res.RequeueAfter >= 9*time.Minute && res.RequeueAfter <= 11*time.Minute)
	fmt.Println(reconcile.RequeueAfter(10*time.Minute, 0).RequeueAfter)
	// Output:
	// true
	// 10m0s
}

func ExampleFinalize() {
	now := metav1.Now()
	w := &testapi.Widget{ObjectMeta: metav1.ObjectMeta{
		Namespace: "apps", Name: "web", Generation: 1,
		DeletionTimestamp: &now, Finalizers: []string{"example.com/cleanup"},
	}}
	cleanup := func(context.Context) error { return errors.New("bucket unreachable") }

	res, err := reconcile.Finalize(context.Background(), w, "example.com/cleanup", cleanup)
	fmt.Println(res, err)
	fmt.Println(conditions.GetReason(w, meta.ReadyCondition), w.Finalizers)

	res, err = reconcile.Finalize(context.Background(), w, "example.com/cleanup", nil)
	fmt.Println(res, err)
	fmt.Println(conditions.GetReason(w, meta.ReadyCondition), w.Finalizers)
	// Output:
	// CleanupFailed finalize apps/web: bucket unreachable
	// FinalizationFailed [example.com/cleanup]
	// Finalized <nil>
	// Finalized []
}
