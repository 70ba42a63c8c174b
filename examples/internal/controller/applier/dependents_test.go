package applier_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/flags"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
)

// TestSyncDependencyReadyTriggersDependents checks that a Sync waiting on a
// dependency is reconciled as soon as the dependency becomes Ready, not at
// its (here one hour long) retry interval.
func TestSyncDependencyReadyTriggersDependents(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	ns := createNamespace(t, "dependents")
	startController(t, flags.AccessOptions{}, ns)
	srv := newArtifactServer(t)

	setArtifact(t, ns, "base", nil) // no artifact yet
	base := newSync(ns, "base", "base")
	g.Expect(c.Create(ctx, base)).To(Succeed())
	eventuallyFailed(t, base, applyv1.ArtifactNotReadyReason)

	appArt := srv.publish(t, map[string]string{"app.yaml": configMap("app", "k", "v")})
	setArtifact(t, ns, "app", appArt)
	slow := func(s *applyv1.Sync) {
		s.Spec.Interval = metav1.Duration{Duration: time.Hour}
		s.Spec.RetryInterval = &metav1.Duration{Duration: time.Hour}
		s.Spec.DependsOn = []meta.LocalObjectReference{{Name: "base"}}
	}
	app := newSync(ns, "app", "app", slow)
	// A Sync of the same namespace that depends on another Sync: it stays
	// waiting.
	other := newSync(ns, "other", "app", slow, func(s *applyv1.Sync) {
		s.Spec.DependsOn = []meta.LocalObjectReference{{Name: "absent"}}
	})
	g.Expect(c.Create(ctx, app)).To(Succeed())
	g.Expect(c.Create(ctx, other)).To(Succeed())
	eventuallyFailed(t, app, meta.DependencyNotReadyReason)
	eventuallyFailed(t, other, meta.DependencyNotReadyReason)

	baseArt := srv.publish(t, map[string]string{"base.yaml": configMap("base", "k", "v")})
	setArtifact(t, ns, "base", baseArt)
	eventuallyReady(t, base, baseArt.Revision)
	g.Eventually(func(g Gomega) {
		got := getSync(g, app)
		g.Expect(conditions.IsTrue(got, meta.ReadyCondition)).To(BeTrue(), "Ready: %v", conditions.Get(got, meta.ReadyCondition))
		g.Expect(got.Status.LastAppliedRevision).To(Equal(appArt.Revision))
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
	}, 5*time.Second, 100*time.Millisecond).Should(Succeed())
	getConfigMap(g, ns, "app")

	got := getSync(g, other)
	g.Expect(conditions.GetReason(got, meta.ReadyCondition)).To(Equal(meta.DependencyNotReadyReason))
	g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).To(ContainSubstring("absent"))
}
