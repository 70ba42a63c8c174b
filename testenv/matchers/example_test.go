package matchers_test

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
