package ssa_test

import (
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/sluice-dev/sluice/ssa"
)

// TestDeleteInReverseApplyOrder records the DELETE requests: webhooks go
// first, workloads before their configuration, cluster-wide definitions
// last.
func TestDeleteInReverseApplyOrder(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "delete-order")
	suffix := ns // cluster-scoped names unique to this test
	role := lcCreate(t, lcObject("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader-"+suffix, nil))
	hook := lcCreate(t, lcObject("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "hook-"+suffix, nil))
	cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "settings", nil))
	deploy := lcObject("apps/v1", "Deployment", ns, "web", nil)
	deploy.Object["spec"] = map[string]any{
		"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx"}}},
		},
	}
	deploy = lcCreate(t, deploy)

	m, rec := lcRecordingManager(t, lcOwner)
	// Handed over in apply order, with the repeated ConfigMap dropped.
	cs, err := m.Delete(t.Context(), []*unstructured.Unstructured{role, cm, deploy, hook, cm}, ssa.DeleteOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.IDs()).To(Equal([]ssa.ObjectID{ssa.IDOf(hook), ssa.IDOf(deploy), ssa.IDOf(cm), ssa.IDOf(role)}))
	g.Expect(cs.Count(ssa.Deleted)).To(Equal(4))
	g.Expect(rec.recorded()).To(Equal([]string{
		"validatingwebhookconfigurations/hook-" + suffix,
		"deployments/web",
		"configmaps/settings",
		"clusterroles/reader-" + suffix,
	}))
	for _, o := range []*unstructured.Unstructured{role, hook, cm} {
		_, found := lcGet(t, o)
		g.Expect(found).To(BeFalse(), o.GetName())
	}
}

func TestDeleteHonoursExclusion(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "delete-exclude")
	key := lcOwner.ReconcileKey()
	byAnnotation := lcObject("v1", "ConfigMap", ns, "annotated", nil)
	byAnnotation.SetAnnotations(map[string]string{key: ssa.ReconcileDisabled})
	byAnnotation = lcCreate(t, byAnnotation)
	byLabel := lcCreate(t, lcObject("v1", "ConfigMap", ns, "labelled", map[string]string{key: ssa.ReconcileDisabled}))
	// Excluded in the desired object only: the live one was never marked.
	desiredOnly := lcCreate(t, lcObject("v1", "ConfigMap", ns, "desired-only", nil))
	desiredMarked := desiredOnly.DeepCopy()
	desiredMarked.SetAnnotations(map[string]string{key: ssa.ReconcileDisabled})
	// Another value does not exclude.
	enabled := lcCreate(t, lcObject("v1", "ConfigMap", ns, "enabled", map[string]string{key: "enabled"}))
	absent := lcObject("v1", "ConfigMap", ns, "absent", nil)

	m := lcManager(t, lcOwner)
	cs, err := m.Delete(t.Context(), []*unstructured.Unstructured{byAnnotation, byLabel, desiredMarked, enabled, absent}, ssa.DeleteOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cs.ToMap()).To(Equal(map[string]string{
		"ConfigMap/" + ns + "/annotated":    "skipped",
		"ConfigMap/" + ns + "/labelled":     "skipped",
		"ConfigMap/" + ns + "/desired-only": "skipped",
		"ConfigMap/" + ns + "/enabled":      "deleted",
		"ConfigMap/" + ns + "/absent":       "skipped",
	}))
	for _, o := range []*unstructured.Unstructured{byAnnotation, byLabel, desiredOnly} {
		_, found := lcGet(t, o)
		g.Expect(found).To(BeTrue(), o.GetName())
	}
	_, found := lcGet(t, enabled)
	g.Expect(found).To(BeFalse())
}

// TestDeletePropagationPolicy checks the policy reaches the apiserver: with
// no garbage collector running, Foreground and Orphan leave the object
// terminating under the finalizer the apiserver adds for them.
func TestDeletePropagationPolicy(t *testing.T) {
	ns := lcNamespace(t, "delete-policy")
	m := lcManager(t, lcOwner)
	for _, tc := range []struct {
		policy    metav1.DeletionPropagation
		finalizer string
	}{
		{policy: metav1.DeletePropagationForeground, finalizer: metav1.FinalizerDeleteDependents},
		{policy: metav1.DeletePropagationOrphan, finalizer: metav1.FinalizerOrphanDependents},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			g := NewWithT(t)
			cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "policy-"+strings.ToLower(string(tc.policy)), nil))
			t.Cleanup(func() { lcRemoveFinalizers(t, cm) })
			cs, err := m.Delete(t.Context(), []*unstructured.Unstructured{cm}, ssa.DeleteOptions{PropagationPolicy: tc.policy})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(cs.Count(ssa.Deleted)).To(Equal(1))
			live, found := lcGet(t, cm)
			g.Expect(found).To(BeTrue())
			g.Expect(live.GetDeletionTimestamp()).NotTo(BeNil())
			g.Expect(live.GetFinalizers()).To(ContainElement(tc.finalizer))

			// Deleting a terminating object again reports it Deleted.
			cs, err = m.Delete(t.Context(), []*unstructured.Unstructured{cm}, ssa.DeleteOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(cs.Count(ssa.Deleted)).To(Equal(1))
		})
	}
	t.Run("Background by default", func(t *testing.T) {
		g := NewWithT(t)
		cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "policy-default", nil))
		_, err := m.Delete(t.Context(), []*unstructured.Unstructured{cm}, ssa.DeleteOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		_, found := lcGet(t, cm)
		g.Expect(found).To(BeFalse())
	})
	t.Run("unknown policy", func(t *testing.T) {
		g := NewWithT(t)
		cm := lcCreate(t, lcObject("v1", "ConfigMap", ns, "policy-unknown", nil))
		cs, err := m.Delete(t.Context(), []*unstructured.Unstructured{cm}, ssa.DeleteOptions{PropagationPolicy: "Eventually"})
		g.Expect(err).To(MatchError(ssa.ErrInvalidPropagationPolicy))
		g.Expect(cs.Len()).To(BeZero())
		_, found := lcGet(t, cm)
		g.Expect(found).To(BeTrue())
	})
}

// TestDeleteReportsFailuresPerObject deletes as a user RBAC allows to read
// and delete one ConfigMap only: the other fails, the rest goes on.
func TestDeleteReportsFailuresPerObject(t *testing.T) {
	g := NewWithT(t)
	ns := lcNamespace(t, "delete-fail")
	allowed := lcCreate(t, lcObject("v1", "ConfigMap", ns, "allowed", nil))
	denied := lcCreate(t, lcObject("v1", "ConfigMap", ns, "denied", nil))
	role := lcObject("rbac.authorization.k8s.io/v1", "Role", ns, "delete-allowed", nil)
	role.Object["rules"] = []any{map[string]any{
		"apiGroups": []any{""}, "resources": []any{"configmaps"},
		"resourceNames": []any{"allowed"}, "verbs": []any{"get", "delete"},
	}}
	lcCreate(t, role)
	binding := lcObject("rbac.authorization.k8s.io/v1", "RoleBinding", ns, "delete-allowed", nil)
	binding.Object["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "delete-allowed"}
	binding.Object["subjects"] = []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "lc-limited"}}
	lcCreate(t, binding)

	cfg := testEnv.Config()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "lc-limited"}
	m := lcManagerFor(t, cfg, lcOwner)
	cs, err := m.Delete(t.Context(), []*unstructured.Unstructured{denied, allowed}, ssa.DeleteOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("delete ConfigMap/" + ns + "/denied: ")))
	var status apierrors.APIStatus
	g.Expect(errors.As(err, &status)).To(BeTrue(), "the apiserver's error is wrapped")
	g.Expect(status.Status().Reason).To(Equal(metav1.StatusReasonForbidden))
	g.Expect(cs.Entries).To(Equal([]ssa.Change{{ID: ssa.IDOf(allowed), Action: ssa.Deleted}}))
	_, found := lcGet(t, denied)
	g.Expect(found).To(BeTrue())
}
