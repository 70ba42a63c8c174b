package applier_test

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // test revisions only need the sha1 form of RFC-0005
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/events"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	crds "github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/controller/applier"
)

var (
	env    *testenv.Environment
	scheme *runtime.Scheme
)

func TestMain(m *testing.M) {
	scheme = testenv.DefaultScheme()
	for _, add := range []func(*runtime.Scheme) error{sourcev1.AddToScheme, applyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithScheme(scheme), testenv.WithCRDsFS(crds.CRDs())))
}

// startController runs a manager with a SyncReconciler configured by access,
// whose cache sees only namespaces, until the test ends.
func startController(t *testing.T, access flags.AccessOptions, namespaces ...string) {
	t.Helper()
	startControllerWithEvents(t, access, nil, namespaces...)
}

// startControllerWithEvents is startController with extra options of the
// event recorder, such as a webhook.
func startControllerWithEvents(t *testing.T, access flags.AccessOptions, recorderOpts []events.Option, namespaces ...string) {
	t.Helper()
	g := NewWithT(t)
	defaults := map[string]cache.Config{}
	for _, ns := range namespaces {
		defaults[ns] = cache.Config{}
	}
	mgr, err := ctrl.NewManager(env.Config(), ctrl.Options{
		Scheme:     scheme,
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Cache:      cache.Options{DefaultNamespaces: defaults},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	g.Expect(err).NotTo(HaveOccurred())
	rec, err := events.NewRecorder(mgr.GetEventRecorder(applier.ControllerName), applier.ControllerName,
		append([]events.Option{events.WithScheme(scheme)}, recorderOpts...)...)
	g.Expect(err).NotTo(HaveOccurred())
	r := &applier.SyncReconciler{Access: access, EventRecorder: rec}
	g.Expect(r.SetupWithManager(mgr)).To(Succeed())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// artifactServer serves artifacts built from folders.
type artifactServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	n     int
	hits  int // artifact downloads served
}

func newArtifactServer(t *testing.T) *artifactServer {
	s := &artifactServer{files: map[string][]byte{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		data, ok := s.files[r.URL.Path]
		if ok {
			s.hits++
		}
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// downloads returns how many artifacts the server has served.
func (s *artifactServer) downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// publishDir archives dir and serves it; the artifact's revision is new for
// every call.
func (s *artifactServer) publishDir(t *testing.T, dir string) *meta.Artifact {
	t.Helper()
	var buf bytes.Buffer
	sum, err := archive.Build(t.Context(), dir, &buf, archive.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.n++
	p := "/" + strings.TrimPrefix(sum.Digest.String(), "sha256:") + "-" + string(rune('a'+s.n%26)) + ".tar.gz"
	s.files[p] = buf.Bytes()
	n := s.n
	s.mu.Unlock()
	h := sha1.Sum([]byte(sum.Digest.String() + string(rune(n)))) //nolint:gosec // a fake commit id
	return &meta.Artifact{
		Revision:       "main@sha1:" + hex.EncodeToString(h[:]),
		Digest:         sum.Digest.String(),
		URL:            s.srv.URL + p,
		Path:           "gitrepository" + p,
		Size:           ptr.To(sum.Size),
		LastUpdateTime: metav1.Now(),
	}
}

// publish writes files (path to content) into a folder and publishes it.
func (s *artifactServer) publish(t *testing.T, files map[string]string) *meta.Artifact {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return s.publishDir(t, dir)
}

// setArtifact creates or updates the GitRepository ns/name with artifact
// in its status (nil: none), as the source controller would.
func setArtifact(t *testing.T, ns, name string, artifact *meta.Artifact, accessFrom ...func(*sourcev1.GitRepository)) {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	c := env.Client()
	repo := &sourcev1.GitRepository{}
	err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, repo)
	if client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	if err != nil {
		repo = &sourcev1.GitRepository{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: sourcev1.GitRepositorySpec{
				URL:      "https://git.example.invalid/" + name + ".git",
				Interval: metav1.Duration{Duration: time.Hour},
			},
		}
		for _, f := range accessFrom {
			f(repo)
		}
		g.Expect(c.Create(ctx, repo)).To(Succeed())
	} else if len(accessFrom) > 0 {
		for _, f := range accessFrom {
			f(repo)
		}
		g.Expect(c.Update(ctx, repo)).To(Succeed())
	}
	if artifact == nil {
		return
	}
	repo.Status.Artifact = artifact
	repo.Status.ObservedGeneration = repo.Generation
	conditions.MarkTrue(repo, meta.ReadyCondition, meta.SucceededReason, "stored artifact for revision %s", artifact.Revision)
	g.Expect(c.Status().Update(ctx, repo)).To(Succeed())
}

// newSync returns a Sync of ns applying the GitRepository source with a
// short interval.
func newSync(ns, name, source string, mutate ...func(*applyv1.Sync)) *applyv1.Sync {
	s := &applyv1.Sync{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: applyv1.SyncSpec{
			SourceRef:     applyv1.SourceReference{Kind: sourcev1.GitRepositoryKind, Name: source},
			Interval:      metav1.Duration{Duration: 2 * time.Second},
			RetryInterval: &metav1.Duration{Duration: time.Second},
			Timeout:       &metav1.Duration{Duration: 20 * time.Second},
		},
	}
	for _, f := range mutate {
		f(s)
	}
	return s
}

func getSync(g Gomega, s *applyv1.Sync) *applyv1.Sync {
	out := &applyv1.Sync{}
	g.Expect(env.Client().Get(context.Background(), client.ObjectKeyFromObject(s), out)).To(Succeed())
	return out
}

// eventuallyReady waits until s is Ready with revision applied and its
// status follows kstatus.
func eventuallyReady(t *testing.T, s *applyv1.Sync, revision string) *applyv1.Sync {
	t.Helper()
	var got *applyv1.Sync
	NewWithT(t).Eventually(func(g Gomega) {
		got = getSync(g, s)
		g.Expect(conditions.IsTrue(got, meta.ReadyCondition)).To(BeTrue(), "Ready: %v", conditions.Get(got, meta.ReadyCondition))
		g.Expect(got.Status.LastAppliedRevision).To(Equal(revision))
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
	}, 30*time.Second, 200*time.Millisecond).Should(Succeed())
	return got
}

// eventuallyFailed waits until s is Ready False with reason and its status
// follows kstatus.
func eventuallyFailed(t *testing.T, s *applyv1.Sync, reason string) *applyv1.Sync {
	t.Helper()
	var got *applyv1.Sync
	NewWithT(t).Eventually(func(g Gomega) {
		got = getSync(g, s)
		g.Expect(conditions.IsFalse(got, meta.ReadyCondition)).To(BeTrue(), "Ready: %v", conditions.Get(got, meta.ReadyCondition))
		g.Expect(conditions.GetReason(got, meta.ReadyCondition)).To(Equal(reason), "Ready: %v", conditions.Get(got, meta.ReadyCondition))
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(conditions.CheckKstatus(got)).To(Succeed())
	}, 30*time.Second, 200*time.Millisecond).Should(Succeed())
	return got
}

func configMap(name, key, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  " + key + ": " + value + "\n"
}

func configMapIn(ns, name, key, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\ndata:\n  " + key + ": " + value + "\n"
}

func getConfigMap(g Gomega, ns, name string) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{}
	g.Expect(env.Client().Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, cm)).To(Succeed())
	return cm
}

func createNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns, err := env.CreateNamespace(t.Context(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}
