package quickstart

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
)

// TestRun runs the whole quickstart, as `go run ./examples/cmd/quickstart`
// does: a real control plane, Git server and controllers.
func TestRun(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	err := Run(t.Context(), Options{
		Out: &out, Progress: io.Discard, WorkDir: t.TempDir(),
		Interval: 2 * time.Second, StepTimeout: time.Minute,
	})
	t.Log("\n" + out.String())
	g.Expect(err).NotTo(HaveOccurred())
	for i, want := range []string{
		`\[1\] Start a Kubernetes control plane`,
		`kube-apiserver (v1\.37\.2 and etcd v3\.6\.16|and etcd from KUBEBUILDER_ASSETS)`,
		`\[2\] Start a Git server`,
		`\[3\] Start the source and applier controllers`,
		`\[4\] Apply the repository`,
		`GitRepository sluice-system/demo Ready, artifact main@sha1:[0-9a-f]{40}`,
		`applied ConfigMap quickstart-demo/feature-flags`,
		`\[5\] Commit a change to Git`,
		`greeting="hello again, from a new commit"`,
		`\[6\] Edit an object by hand: the drift is reverted`,
		`\[7\] Remove a file from Git: its object is pruned`,
		`ConfigMap quickstart-demo/feature-flags pruned`,
		`Every step held`,
	} {
		g.Expect(out.String()).To(MatchRegexp(want), "line %d", i)
	}
	g.Expect(regexp.MustCompile(`✓ held in`).FindAllString(out.String(), -1)).To(HaveLen(7))
	g.Expect(out.String()).NotTo(ContainSubstring("✗"))
}

func TestStepFailureNamesTheStep(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	r := &reporter{w: &out}
	g.Expect(r.step("first", func() ([]string, error) { return []string{"detail"}, nil })).To(Succeed())
	boom := errors.New("the ConfigMap never came")
	err := r.step("second", func() ([]string, error) { return nil, boom })
	var se *StepError
	g.Expect(errors.As(err, &se)).To(BeTrue())
	g.Expect(se.Step).To(Equal(2))
	g.Expect(se.Title).To(Equal("second"))
	g.Expect(err).To(MatchError(boom))
	g.Expect(err.Error()).To(Equal("quickstart step 2 (second): the ConfigMap never came"))
	g.Expect(out.String()).To(ContainSubstring("[1] first\n      detail\n  ✓ held in"))
	g.Expect(out.String()).To(ContainSubstring("[2] second\n  ✗ failed after"))
}

func TestInventoryOf(t *testing.T) {
	g := NewWithT(t)
	s := newSync("demo", "ns", "deploy", metav1.Duration{Duration: time.Second})
	g.Expect(inventoryOf(s)).To(BeEmpty())
	s.Status.Inventory = &applyv1.Inventory{Entries: []applyv1.InventoryEntry{
		{ID: "_demo__Namespace", Version: "v1"},
		{ID: "demo_web__Service", Version: "v1"},
		{ID: "demo_app_apps_Deployment", Version: "v1"},
		{ID: "not-an-id", Version: "v1"},
	}}
	g.Expect(inventoryOf(s)).To(Equal([]string{"Namespace demo", "Service demo/web", "Deployment demo/app", "not-an-id"}))
}
