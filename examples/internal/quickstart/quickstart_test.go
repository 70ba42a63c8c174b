package quickstart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
)

// TestRun runs the whole quickstart, as `go run ./examples/cmd/quickstart
// --keep` does: a real control plane, Git server and controllers; then
// uses the kubeconfig it printed and stops it as Ctrl-C would.
func TestRun(t *testing.T) {
	g := NewWithT(t)
	out := &syncBuffer{}
	workDir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			Out: out, Progress: io.Discard, WorkDir: workDir, Keep: true,
			Interval: 2 * time.Second, StepTimeout: time.Minute,
		})
	}()
	g.Eventually(func() string {
		select {
		case err := <-done:
			done <- err
			return "returned early: " + fmt.Sprint(err)
		default:
		}
		return out.String()
	}, 5*time.Minute, 100*time.Millisecond).Should(ContainSubstring("Press Ctrl-C to stop."), func() string { return out.String() })
	t.Log("\n" + out.String())
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

	// The printed kubeconfig reaches the still-running cluster, where the
	// demo's objects are.
	kubeconfig := filepath.Join(workDir, "kubeconfig")
	g.Expect(out.String()).To(ContainSubstring("export KUBECONFIG=" + kubeconfig))
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	c, err := client.New(cfg, client.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	var cm corev1.ConfigMap
	g.Expect(c.Get(t.Context(), client.ObjectKey{Namespace: demoNamespace, Name: "app-config"}, &cm)).To(Succeed())
	g.Expect(cm.Data).To(HaveKeyWithValue("greeting", greetingAfter))

	cancel()
	g.Eventually(done, time.Minute).Should(Receive(BeNil()))
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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
