package source_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/runtime/flags"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// requestLog keeps every request a Git server received.
type requestLog struct {
	mu   sync.Mutex
	reqs []gitserver.Request
}

func (l *requestLog) hook(r gitserver.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
}

// forRepo returns the requests for repo.
func (l *requestLog) forRepo(repo string) []gitserver.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []gitserver.Request
	for _, r := range l.reqs {
		if r.Repo == repo {
			out = append(out, r)
		}
	}
	return out
}

// startGitServer starts a Git server with opts serving protos.
func startGitServer(t *testing.T, protos []gitserver.Protocol, opts ...gitserver.Option) *gitserver.Server {
	t.Helper()
	srv, err := gitserver.New(t.Context(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	for _, p := range protos {
		switch p {
		case gitserver.ProtocolHTTP:
			err = srv.StartHTTP(t.Context())
		case gitserver.ProtocolHTTPS:
			err = srv.StartHTTPS(t.Context())
		case gitserver.ProtocolGit:
			err = srv.StartGitDaemon(t.Context())
		case gitserver.ProtocolSSH:
			err = srv.StartSSH(t.Context())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

func TestGitRepositoryOverHTTPSTrustsTheSecretCA(t *testing.T) {
	g := NewWithT(t)
	const user, password = "reader", "https-s3cret"
	srv := startGitServer(t, []gitserver.Protocol{gitserver.ProtocolHTTPS}, gitserver.WithBasicAuth(user, password))
	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"deploy/app.yaml": "tls: true\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	// Another server's CA, which did not sign srv's certificate.
	stranger, err := gitserver.New(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = stranger.Close() })

	ns := newNamespace(t)
	secrets := map[string]map[string][]byte{
		"with-ca":  {git.KeyUsername: []byte(user), git.KeyPassword: []byte(password), git.KeyCACert: srv.CACertPEM()},
		"no-ca":    {git.KeyUsername: []byte(user), git.KeyPassword: []byte(password)},
		"wrong-ca": {git.KeyUsername: []byte(user), git.KeyPassword: []byte(password), git.KeyCACert: stranger.CACertPEM()},
	}
	for name, data := range secrets {
		g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data,
		})).To(Succeed())
	}
	withSecret := func(name string) func(*sourcev1.GitRepository) {
		return func(o *sourcev1.GitRepository) { o.Spec.SecretRef = &meta.LocalObjectReference{Name: name} }
	}
	url := srv.HTTPSURL("app.git")
	g.Expect(url).To(HavePrefix("https://"))
	trusted := gitRepo(ns, "with-ca", url, withSecret("with-ca"))
	untrusted := []*sourcev1.GitRepository{
		gitRepo(ns, "no-ca", url, withSecret("no-ca")),
		gitRepo(ns, "wrong-ca", url, withSecret("wrong-ca")),
	}
	for _, o := range append([]*sourcev1.GitRepository{trusted}, untrusted...) {
		g.Expect(env.Client().Create(t.Context(), o)).To(Succeed())
		deleteOnCleanup(t, o)
	}

	got := waitGit(t, trusted, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{"deploy/app.yaml": "tls: true\n"}))

	for _, o := range untrusted {
		t.Run(o.Name, func(t *testing.T) {
			g := NewWithT(t)
			got := waitGit(t, o, matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithMessage("certificate"))
			g.Expect(got).To(matchers.HaveCondition(meta.FetchFailedCondition, metav1.ConditionTrue).
				WithReason(meta.FailedReason).WithMessage("x509: certificate signed by unknown authority"))
			g.Expect(got).To(matchers.BeReconciling().WithReason(meta.ProgressingWithRetryReason), "retried: the CA may be added")
			g.Expect(got.Status.Artifact).To(BeNil())
			g.Expect(conditions.GetMessage(got, meta.ReadyCondition)).NotTo(ContainSubstring(password))
		})
	}
}

func TestGitRepositoryOverGitProtocol(t *testing.T) {
	g := NewWithT(t)
	log := &requestLog{}
	srv := startGitServer(t, []gitserver.Protocol{gitserver.ProtocolGit}, gitserver.WithRequestHook(log.hook))
	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"a.yaml": "git: daemon\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	ns := newNamespace(t)
	url := srv.GitURL("app.git")
	g.Expect(url).To(HavePrefix("git://"))
	obj := gitRepo(ns, "daemon", url)
	g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())
	deleteOnCleanup(t, obj)

	got := waitGit(t, obj, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{"a.yaml": "git: daemon\n"}))
	g.Expect(log.forRepo("app.git")).To(ContainElement(And(
		HaveField("Protocol", gitserver.ProtocolGit),
		HaveField("Service", gitserver.ServiceUploadPack),
	)))

	// git:// takes no credentials: a Secret for it is a configuration
	// error, not something sent in clear text.
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"},
		Data:       map[string][]byte{git.KeyUsername: []byte("u"), git.KeyPassword: []byte("p")},
	})).To(Succeed())
	withCreds := gitRepo(ns, "daemon-creds", url, func(o *sourcev1.GitRepository) {
		o.Spec.SecretRef = &meta.LocalObjectReference{Name: "creds"}
	})
	g.Expect(env.Client().Create(t.Context(), withCreds)).To(Succeed())
	deleteOnCleanup(t, withCreds)
	got = waitGit(t, withCreds, matchers.BeStalled().WithReason(meta.InvalidConfigReason))
	g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.InvalidConfigReason))
	g.Expect(got.Status.Artifact).To(BeNil())
}

// createSuperRepo makes a commit on repo (which must exist on srv) that
// adds a submodule at path with url, pinned at commit pin, through a
// clone of the bare repository with the git command line. It returns the
// new commit.
func createSuperRepo(t *testing.T, srv *gitserver.Server, repo, path, url, pin string) string {
	t.Helper()
	ctx := t.Context()
	work := filepath.Join(t.TempDir(), "work")
	run := func(args ...string) string {
		t.Helper()
		full := append([]string{
			"-c", "user.name=" + gitserver.IdentityName, "-c", "user.email=" + gitserver.IdentityEmail,
			"-c", "commit.gpgsign=false", "-C", work,
		}, args...)
		// #nosec G204 -- the git command line on a test repository.
		out, err := exec.CommandContext(ctx, "git", full...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if err := os.MkdirAll(work, 0o750); err != nil {
		t.Fatal(err)
	}
	run("clone", "--quiet", filepath.Join(srv.Root(), repo), ".")
	modules := fmt.Sprintf("[submodule %q]\n\tpath = %s\n\turl = %s\n", path, path, url)
	if err := os.WriteFile(filepath.Join(work, ".gitmodules"), []byte(modules), 0o600); err != nil {
		t.Fatal(err)
	}
	run("add", ".gitmodules")
	run("update-index", "--add", "--cacheinfo", "160000,"+pin+","+path)
	run("commit", "--quiet", "-m", "add submodule "+path)
	run("push", "--quiet", "origin", "HEAD:"+gitserver.DefaultBranch)
	return run("rev-parse", "HEAD")
}

func TestGitRepositoryRecurseSubmodules(t *testing.T) {
	g := NewWithT(t)
	counter := &requestCounter{}
	srv := newGitServer(t, counter)
	lib, err := srv.CreateRepo(t.Context(), "lib.git", gitserver.RepoOptions{Files: map[string]string{"lib.yaml": "lib: 1\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"app.yaml": "app: 1\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	head := createSuperRepo(t, srv, "app.git", "vendor/lib", "../lib.git", lib)

	ns := newNamespace(t)
	obj := gitRepo(ns, "app", srv.HTTPURL("app.git"))
	g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())
	deleteOnCleanup(t, obj)
	modules := "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n"

	got := waitGit(t, obj, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(got.Status.ObservedRecurseSubmodules).To(BeFalse())
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{
		"app.yaml":    "app: 1\n",
		".gitmodules": modules,
	}), "without recurseSubmodules the submodule stays empty")
	libFetches, _ := counter.counts("lib.git")
	g.Expect(libFetches).To(BeZero(), "the submodule is not fetched")
	first := got.Status.Artifact

	// Turning it on rebuilds the artifact of the same commit, with the
	// submodule's files and without its .git file.
	mergePatch(t, obj, map[string]any{"spec": map[string]any{"recurseSubmodules": true}})
	got = waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.ObservedRecurseSubmodules).To(BeTrue())
	})
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(got.Status.Artifact.Digest).NotTo(Equal(first.Digest))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{
		"app.yaml":            "app: 1\n",
		".gitmodules":         modules,
		"vendor/lib/lib.yaml": "lib: 1\n",
	}))
	libFetches, _ = counter.counts("lib.git")
	g.Expect(libFetches).To(BeNumerically(">=", 1), "the submodule came from the server, by its relative URL")

	// A new commit of the submodule is not picked up until the parent
	// pins it: the artifact is the parent's commit.
	_, err = srv.Commit(t.Context(), "lib.git", gitserver.CommitOptions{Files: map[string]string{"lib.yaml": "lib: 2\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	requestReconcile(t, obj, "after-lib-commit")
	got = waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.LastHandledReconcileAt).To(Equal("after-lib-commit"))
	})
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(HaveKeyWithValue("vendor/lib/lib.yaml", "lib: 1\n"))
}

// unsuspended reads source objects as if spec.suspend were false. The
// objects the direct reconciles below work on are suspended on the server,
// so that the manager of TestMain, which allows plain HTTP, leaves them
// alone; the reconciler under test, given this client, reconciles them.
type unsuspended struct{ client.Client }

func (c unsuspended) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	err := c.Client.Get(ctx, key, obj, opts...)
	switch o := obj.(type) {
	case *sourcev1.GitRepository:
		o.Spec.Suspend = false
	case *sourcev1.OCIRepository:
		o.Spec.Suspend = false
	}
	return err
}

// reconcileDirectly runs r twice on obj, the first time for the Reconciling
// marker of a new generation, the second for the work, and returns the
// second result. The manager of TestMain may add its finalizer meanwhile;
// it writes nothing else on a suspended object.
func reconcileDirectly(t *testing.T, r reconcile.Reconciler, obj client.Object) (ctrl.Result, error) {
	t.Helper()
	g := NewWithT(t)
	req := ctrl.Request{NamespacedName: objectKey(obj)}
	res, err := r.Reconcile(t.Context(), req)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.RequeueAfter).To(Equal(time.Millisecond), "the first reconcile of a generation only marks Reconciling")
	return r.Reconcile(t.Context(), req)
}

// deleteOnCleanup deletes objs when the test ends, without waiting, so that
// the manager stops retrying them once their servers are gone.
func deleteOnCleanup(t *testing.T, objs ...client.Object) {
	t.Helper()
	t.Cleanup(func() {
		for _, o := range objs {
			_ = env.Client().Delete(context.Background(), o)
		}
	})
}

func TestGitRepositoryRefusesPlainHTTPBeforeAnyRequest(t *testing.T) {
	g := NewWithT(t)
	log := &requestLog{}
	srv := startGitServer(t, []gitserver.Protocol{gitserver.ProtocolHTTP, gitserver.ProtocolGit}, gitserver.WithRequestHook(log.hook))
	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"a": "1"}})
	g.Expect(err).NotTo(HaveOccurred())
	ns := newNamespace(t)
	suspended := func(o *sourcev1.GitRepository) { o.Spec.Suspend = true }
	plain := gitRepo(ns, "plain-http", srv.HTTPURL("app.git"), suspended)
	daemon := gitRepo(ns, "git-protocol", srv.GitURL("app.git"), suspended)
	g.Expect(env.Client().Create(t.Context(), plain)).To(Succeed())
	deleteOnCleanup(t, plain)
	g.Expect(env.Client().Create(t.Context(), daemon)).To(Succeed())
	deleteOnCleanup(t, daemon)

	r := &source.GitRepositoryReconciler{Client: unsuspended{env.Client()}, Storage: store, InsecureHTTP: flags.InsecureHTTPOptions{Allow: false}}
	res, err := reconcileDirectly(t, r, plain)
	g.Expect(err).NotTo(HaveOccurred(), "stalled: not retried with backoff")
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", time.Second*9/10), "looked at again at the interval")

	got := getGit(g, plain)
	g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
		WithReason(meta.InsecureConnectionsDisallowedReason).ForCurrentGeneration())
	g.Expect(got).To(matchers.BeStalled().WithReason(meta.InsecureConnectionsDisallowedReason))
	g.Expect(conditions.Has(got, meta.ReconcilingCondition)).To(BeFalse())
	g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
	g.Expect(conditions.CheckKstatus(got, meta.FetchFailedCondition)).To(Succeed())
	g.Expect(got.Status.Artifact).To(BeNil())
	g.Expect(log.forRepo("app.git")).To(BeEmpty(), "the refusal comes before any request")

	// The policy is about plain HTTP: git:// is not refused by it.
	_, err = reconcileDirectly(t, r, daemon)
	g.Expect(err).NotTo(HaveOccurred())
	got = getGit(g, daemon)
	g.Expect(got).To(matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(log.forRepo("app.git")).To(HaveEach(HaveField("Protocol", gitserver.ProtocolGit)))
}
