package cmd_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/config"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

var env *testenv.Environment

func TestMain(m *testing.M) {
	scheme, err := app.Scheme(sourcev1.AddToScheme, applyv1.AddToScheme, imagev1.AddToScheme, notificationv1.AddToScheme)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(testenv.RunMain(m, func(e *testenv.Environment) { env = e },
		testenv.WithScheme(scheme), testenv.WithCRDsFS(config.CRDs())))
}

var controllers = []string{"source-controller", "applier-controller", "image-controller", "notification-controller"}

// build compiles the controller binaries into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: the binaries cannot be built")
	}
	dir := t.TempDir()
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, c := range controllers {
		args = append(args, "./"+c)
	}
	out, err := exec.CommandContext(t.Context(), goBin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

func writeKubeconfig(t *testing.T) string {
	t.Helper()
	data, err := env.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// process is a running controller binary.
type process struct {
	name   string
	cmd    *exec.Cmd
	health string
	logs   *bytes.Buffer
	done   chan error
}

func start(t *testing.T, bin, name, kubeconfig string, extra ...string) *process {
	t.Helper()
	health := freeAddr(t)
	args := append([]string{
		"--kubeconfig", kubeconfig, "--metrics-addr", "0", "--health-addr", health,
		"--log-encoding", "console", "--insecure-allow-http",
	}, extra...)
	// The test's context is not used: the process is stopped with SIGTERM
	// and must exit cleanly on its own.
	cmd := exec.Command(filepath.Join(bin, name), args...) //nolint:gosec,noctx // a binary this test built, stopped by signal
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{name: name, cmd: cmd, health: health, logs: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			if err := <-p.done; err != nil {
				t.Logf("%s killed: %v", name, err)
			}
		}
		if t.Failed() {
			t.Logf("%s logs:\n%s", name, logs.String())
		}
	})
	return p
}

func (p *process) waitReady(g *WithT) {
	g.Eventually(func() (int, error) {
		select {
		case err := <-p.done:
			p.done <- err
			return 0, fmt.Errorf("%s exited: %w", p.name, err)
		default:
		}
		resp, err := http.Get("http://" + p.health + "/readyz") //nolint:noctx // bounded by Eventually's timeout and the client default
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}, time.Minute, 200*time.Millisecond).Should(Equal(http.StatusOK), "%s did not become ready", p.name)
}

func (p *process) stop(g *WithT) {
	g.Expect(p.cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
	var err error
	g.Eventually(p.done, 30*time.Second).Should(Receive(&err), "%s did not stop on SIGTERM", p.name)
	g.Expect(err).NotTo(HaveOccurred(), "%s exit status", p.name)
}

// TestBinaries builds the four controllers, runs them against the control
// plane through a kubeconfig file, and drives a GitRepository and a Sync
// through the source and applier binaries.
func TestBinaries(t *testing.T) {
	g := NewWithT(t)
	bin := build(t)
	kubeconfig := writeKubeconfig(t)

	t.Run("help", func(t *testing.T) {
		for _, name := range controllers {
			g := NewWithT(t)
			out, err := exec.CommandContext(t.Context(), filepath.Join(bin, name), "--help").CombinedOutput()
			g.Expect(err).NotTo(HaveOccurred(), "%s --help", name)
			g.Expect(string(out)).To(ContainSubstring("--kubeconfig"), name)
			g.Expect(string(out)).To(ContainSubstring("--no-cross-namespace-refs"), name)

			// A bad flag is a usage error, exit status 2.
			err = exec.CommandContext(t.Context(), filepath.Join(bin, name), "--no-such-flag").Run()
			var exit *exec.ExitError
			g.Expect(errors.As(err, &exit)).To(BeTrue(), "%s --no-such-flag: %v", name, err)
			g.Expect(exit.ExitCode()).To(Equal(app.ExitUsage))
		}
	})

	git, err := gitserver.New(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = git.Close() })
	g.Expect(git.StartHTTP(t.Context())).To(Succeed())
	_, err = git.CreateRepo(t.Context(), "app", gitserver.RepoOptions{Files: map[string]string{
		"deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-binaries\n  namespace: binaries\ndata:\n  k: v\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())

	storageAddr := freeAddr(t)
	procs := []*process{
		start(t, bin, "source-controller", kubeconfig, "--storage-path", t.TempDir(), "--storage-addr", storageAddr),
		start(t, bin, "applier-controller", kubeconfig),
		start(t, bin, "image-controller", kubeconfig, "--work-dir", t.TempDir()),
		start(t, bin, "notification-controller", kubeconfig, "--events-addr-listen", freeAddr(t), "--receiver-addr", freeAddr(t)),
	}
	for _, p := range procs {
		p.waitReady(g)
	}

	ctx := t.Context()
	c := env.Client()
	for _, ns := range []string{"binaries"} {
		err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		if !apierrors.IsAlreadyExists(err) {
			g.Expect(err).NotTo(HaveOccurred())
		}
	}
	interval := metav1.Duration{Duration: 2 * time.Second}
	repo := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "binaries"},
		Spec:       sourcev1.GitRepositorySpec{URL: git.HTTPURL("app"), Interval: interval},
	}
	g.Expect(c.Create(ctx, repo)).To(Succeed())
	sync := &applyv1.Sync{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "binaries"},
		Spec: applyv1.SyncSpec{
			SourceRef: applyv1.SourceReference{Kind: sourcev1.GitRepositoryKind, Name: "app"},
			Path:      "deploy", Interval: interval,
		},
	}
	g.Expect(c.Create(ctx, sync)).To(Succeed())

	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(conditions.IsTrue(repo, meta.ReadyCondition)).To(BeTrue(), conditions.GetMessage(repo, meta.ReadyCondition))
		g.Expect(repo.Status.Artifact).NotTo(BeNil())
	}, time.Minute, 200*time.Millisecond).Should(Succeed())
	g.Expect(repo.Status.Artifact.URL).To(HavePrefix("http://" + storageAddr + "/"))

	// The artifact is served by the source-controller binary.
	resp, err := http.Get(repo.Status.Artifact.URL) //nolint:noctx // a loopback server this test started
	g.Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))

	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(sync), sync)).To(Succeed())
		g.Expect(conditions.IsTrue(sync, meta.ReadyCondition)).To(BeTrue(), conditions.GetMessage(sync, meta.ReadyCondition))
		g.Expect(sync.Status.LastAppliedRevision).To(Equal(repo.Status.Artifact.Revision))
		var cm corev1.ConfigMap
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: "binaries", Name: "from-binaries"}, &cm)).To(Succeed())
		g.Expect(cm.Data).To(HaveKeyWithValue("k", "v"))
	}, time.Minute, 200*time.Millisecond).Should(Succeed())

	for _, p := range procs {
		p.stop(g)
	}
}
