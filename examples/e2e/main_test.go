package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv"
	"github.com/sluice-dev/sluice/testenv/matchers"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	crds "github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/examples/internal/controller/applier"
	"github.com/sluice-dev/sluice/examples/internal/controller/image"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/examples/internal/storage"
)

const (
	// waitTimeout bounds every Eventually of the package.
	waitTimeout = 60 * time.Second
	// poll is the polling interval of every Eventually.
	poll = 250 * time.Millisecond
	// interval is the spec.interval of the objects the tests create.
	interval = 2 * time.Second
)

// env is the package's control plane, started by TestMain.
var env *testenv.Environment

func TestMain(m *testing.M) {
	scheme, err := app.Scheme(sourcev1.AddToScheme, applyv1.AddToScheme, imagev1.AddToScheme, notificationv1.AddToScheme)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctrl.SetLogger(logr.Discard())
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithScheme(scheme), testenv.WithCRDsFS(crds.CRDs())))
}

// controllerOptions selects the reconcilers startControllers runs.
type controllerOptions struct {
	// namespaces are the namespaces the manager's cache sees; the
	// controllers reconcile only the objects in them.
	namespaces []string
	// access is the applier's multi-tenancy lockdown.
	access flags.AccessOptions
	// image adds the ImageRepository, ImagePolicy and
	// ImageUpdateAutomation reconcilers.
	image bool
	// events, when set, is the address of a notification receiver (the
	// notification controller's EventServer): the GitRepository and Sync
	// reconcilers then get event recorders that post their events to it,
	// as --events-addr wires them in the controllers' main functions.
	events string
}

// startControllers runs, until the test ends, the artifact server of the
// source controller on a loopback listener and one manager with the
// GitRepository and Sync reconcilers (plus the image reconcilers when
// asked), wired as the controllers' main functions wire them.
func startControllers(t *testing.T, o controllerOptions) {
	t.Helper()
	g := NewWithT(t)

	lis, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	store, err := storage.New(filepath.Join(t.TempDir(), "artifacts"), "http://"+lis.Addr().String())
	g.Expect(err).NotTo(HaveOccurred())
	server := &http.Server{Handler: store.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = server.Serve(lis)
	}()
	t.Cleanup(func() {
		_ = server.Close()
		<-served
	})

	mgr := newManager(t, o.namespaces)

	// The Git server, the artifact server and the event receiver speak
	// plain HTTP on loopback.
	insecure := flags.InsecureHTTPOptions{Allow: true}
	var sourceEvents, applierEvents *events.Recorder
	if o.events != "" {
		sourceEvents, err = app.NewRecorder(mgr, "source-controller", app.Options{EventsAddr: o.events, InsecureHTTP: insecure})
		g.Expect(err).NotTo(HaveOccurred())
		applierEvents, err = app.NewRecorder(mgr, "applier-controller", app.Options{EventsAddr: o.events, InsecureHTTP: insecure})
		g.Expect(err).NotTo(HaveOccurred())
	}
	reconcilers := []interface{ SetupWithManager(ctrl.Manager) error }{
		&source.GitRepositoryReconciler{Client: mgr.GetClient(), Storage: store, InsecureHTTP: insecure, EventRecorder: sourceEvents},
		&applier.SyncReconciler{Client: mgr.GetClient(), Access: o.access, EventRecorder: applierEvents},
	}
	if o.image {
		tags := image.NewTagStore()
		reconcilers = append(reconcilers,
			&image.ImageRepositoryReconciler{Client: mgr.GetClient(), Tags: tags, InsecureHTTP: insecure},
			&image.ImagePolicyReconciler{Client: mgr.GetClient(), Tags: tags, Access: o.access},
			&image.ImageUpdateAutomationReconciler{Client: mgr.GetClient(), InsecureHTTP: insecure, Access: o.access, WorkDir: t.TempDir()},
		)
	}
	for _, r := range reconcilers {
		g.Expect(r.SetupWithManager(mgr)).To(Succeed())
	}
	runManager(t, mgr)
}

// newManager returns a manager of the control plane whose cache sees only
// namespaces, without metrics and health servers.
func newManager(t *testing.T, namespaces []string) ctrl.Manager {
	t.Helper()
	defaults := make(map[string]cache.Config, len(namespaces))
	for _, ns := range namespaces {
		defaults[ns] = cache.Config{}
	}
	mgr, err := ctrl.NewManager(env.Config(), ctrl.Options{
		Scheme:                 env.Scheme(),
		Logger:                 controllerLogger(t),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: defaults},
		// Every test runs its own manager in this process.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatalf("new manager: %v", err)
	}
	return mgr
}

// runManager starts mgr until the test ends and waits for its cache to
// sync.
func runManager(t *testing.T, mgr ctrl.Manager) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	syncCtx, syncCancel := context.WithTimeout(t.Context(), waitTimeout)
	defer syncCancel()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		t.Fatalf("the manager's cache did not sync: %v", context.Cause(syncCtx))
	}
}

// controllerLogger returns the controllers' logger: the console on stderr
// with SLUICE_E2E_LOG=1, otherwise discarded.
func controllerLogger(t *testing.T) logr.Logger {
	t.Helper()
	if os.Getenv("SLUICE_E2E_LOG") != "1" {
		return logr.Discard()
	}
	logger, err := flags.LogOptions{Encoding: flags.LogEncodingConsole, Level: flags.LogLevelDebug}.LoggerTo(os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	return logger.WithValues("test", t.Name())
}

// createNamespace creates a namespace with a generated name for t.
func createNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns, err := env.CreateNamespace(t.Context(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// k8sClient is the uncached admin client of the control plane.
func k8sClient() client.Client { return env.Client() }

// get reads obj (by its namespace and name) into obj.
func get(g Gomega, obj client.Object) {
	g.Expect(k8sClient().Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
}

// newGitRepository returns a GitRepository of the default branch of url,
// reconciled every interval.
func newGitRepository(ns, name, url string, mutate ...func(*sourcev1.GitRepository)) *sourcev1.GitRepository {
	r := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: sourcev1.GitRepositorySpec{
			URL:       url,
			Reference: &sourcev1.GitRepositoryReference{Branch: "main"},
			Interval:  metav1.Duration{Duration: interval},
			Timeout:   &metav1.Duration{Duration: 30 * time.Second},
		},
	}
	for _, f := range mutate {
		f(r)
	}
	return r
}

// newSync returns a Sync applying path of the GitRepository source, every
// interval, pruning, without health checks.
func newSync(ns, name, source, path string, mutate ...func(*applyv1.Sync)) *applyv1.Sync {
	s := &applyv1.Sync{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: applyv1.SyncSpec{
			SourceRef:     applyv1.SourceReference{Kind: sourcev1.GitRepositoryKind, Name: source},
			Path:          path,
			Interval:      metav1.Duration{Duration: interval},
			RetryInterval: &metav1.Duration{Duration: time.Second},
			Timeout:       &metav1.Duration{Duration: 30 * time.Second},
		},
	}
	for _, f := range mutate {
		f(s)
	}
	return s
}

// eventuallyArtifact waits until the GitRepository is Ready for its
// current generation with an artifact of revision, and returns it.
func eventuallyArtifact(t *testing.T, repo *sourcev1.GitRepository, revision string) *sourcev1.GitRepository {
	t.Helper()
	got := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Namespace: repo.Namespace, Name: repo.Name}}
	NewWithT(t).Eventually(func(g Gomega) {
		get(g, got)
		g.Expect(got.Status.Artifact).NotTo(BeNil(), "no artifact; conditions: %v", got.Status.Conditions)
		g.Expect(got.Status.Artifact.Revision).To(Equal(revision), "conditions: %v", got.Status.Conditions)
		g.Expect(got).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(conditions.IsTrue(got, meta.ArtifactInStorageCondition)).To(BeTrue())
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	return got
}

// eventuallyApplied waits until the Sync is Ready for its current
// generation with revision applied, and returns it.
func eventuallyApplied(t *testing.T, s *applyv1.Sync, revision string) *applyv1.Sync {
	t.Helper()
	got := &applyv1.Sync{ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: s.Name}}
	NewWithT(t).Eventually(func(g Gomega) {
		get(g, got)
		g.Expect(got).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(got.Status.LastAppliedRevision).To(Equal(revision))
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	return got
}

// eventuallyFailed waits until the Sync is Ready False for its current
// generation with reason, and returns it.
func eventuallyFailed(t *testing.T, s *applyv1.Sync, reason string) *applyv1.Sync {
	t.Helper()
	got := &applyv1.Sync{ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: s.Name}}
	NewWithT(t).Eventually(func(g Gomega) {
		get(g, got)
		g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(reason).ForCurrentGeneration())
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	return got
}

// configMap returns the YAML of a ConfigMap; ns may be empty.
func configMap(ns, name string, data map[string]string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n")
	if ns != "" {
		b.WriteString("  namespace: " + ns + "\n")
	}
	b.WriteString("data:\n")
	for k, v := range data {
		b.WriteString("  " + k + ": " + quote(v) + "\n")
	}
	return b.String()
}

// quote returns s as a double-quoted YAML scalar.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// getConfigMap reads the ConfigMap ns/name.
func getConfigMap(g Gomega, ns, name string) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	get(g, cm)
	return cm
}

// gitCLI runs the real git CLI in dir, isolated from the user's
// configuration, and returns its trimmed output.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("git %s: exit %d\n%s", strings.Join(args, " "), exit.ExitCode(), out)
		}
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}
