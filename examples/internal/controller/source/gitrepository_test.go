package source_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/apis/meta"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// requestCounter counts the Git requests a server received per repository:
// fetches that transfer objects (upload-pack POSTs over HTTP, sessions over
// SSH) and reference advertisements.
type requestCounter struct {
	mu      sync.Mutex
	fetches map[string]int
	adverts map[string]int
}

func (c *requestCounter) hook(r gitserver.Request) {
	if r.Service != gitserver.ServiceUploadPack {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fetches == nil {
		c.fetches, c.adverts = map[string]int{}, map[string]int{}
	}
	if r.Protocol == gitserver.ProtocolHTTP && r.Method != "POST" {
		c.adverts[r.Repo]++
		return
	}
	c.fetches[r.Repo]++
}

func (c *requestCounter) counts(repo string) (fetches, adverts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetches[repo], c.adverts[repo]
}

// newGitServer starts a Git server over HTTP and SSH.
func newGitServer(t *testing.T, counter *requestCounter) *gitserver.Server {
	t.Helper()
	srv, err := gitserver.New(t.Context(), gitserver.WithRequestHook(counter.hook))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if err := srv.StartHTTP(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSSH(t.Context()); err != nil {
		t.Fatal(err)
	}
	return srv
}

func gitRepo(ns, name, url string, mutate ...func(*sourcev1.GitRepository)) *sourcev1.GitRepository {
	obj := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: sourcev1.GitRepositorySpec{
			URL:      url,
			Interval: metav1.Duration{Duration: time.Second},
		},
	}
	for _, m := range mutate {
		m(obj)
	}
	return obj
}

// getGit reads obj's current state.
func getGit(g Gomega, obj *sourcev1.GitRepository) *sourcev1.GitRepository {
	got := &sourcev1.GitRepository{}
	g.Expect(env.Client().Get(ctxBG, client.ObjectKeyFromObject(obj), got)).To(Succeed())
	return got
}

// waitGit waits until obj matches m and kstatus holds, and returns it.
func waitGit(t *testing.T, obj *sourcev1.GitRepository, m *matchers.ConditionMatcher, extra ...func(Gomega, *sourcev1.GitRepository)) *sourcev1.GitRepository {
	t.Helper()
	var got *sourcev1.GitRepository
	NewWithT(t).Eventually(func(g Gomega) {
		got = getGit(g, obj)
		g.Expect(got).To(m.ForCurrentGeneration())
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(conditions.CheckKstatus(got, meta.FetchFailedCondition)).To(Succeed())
		for _, e := range extra {
			e(g, got)
		}
	}).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Succeed())
	return got
}

// fetchArtifact downloads a's artifact from the test's artifact server and
// returns the files it holds.
func fetchArtifact(t *testing.T, a *meta.Artifact) map[string]string {
	t.Helper()
	g := NewWithT(t)
	g.Expect(a).NotTo(BeNil())
	g.Expect(a.URL).To(HavePrefix(artifactServer.URL + "/"))
	out := filepath.Join(t.TempDir(), "artifact")
	g.Expect(storage.Fetch(t.Context(), artifactServer.Client(), *a, out)).To(Succeed())
	files := map[string]string{}
	g.Expect(filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(out, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})).To(Succeed())
	return files
}

func TestGitRepositoryFollowsABranchOverHTTP(t *testing.T) {
	g := NewWithT(t)
	counter := &requestCounter{}
	srv := newGitServer(t, counter)
	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{
		"deploy/app.yaml": "replicas: 1\n",
		"docs/README.md":  "docs\n",
		"secret.env":      "TOKEN=x\n",
		".sourceignore":   "docs/\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())
	ns := newNamespace(t)
	ignore := "*.env\n"
	obj := gitRepo(ns, "app", srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) {
		o.Spec.Reference = &sourcev1.GitRepositoryReference{Branch: "main"}
		o.Spec.Ignore = &ignore
	})
	g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())

	got := waitGit(t, obj, matchers.BeReady())
	g.Expect(got.Finalizers).To(ContainElement(source.Finalizer))
	a := got.Status.Artifact
	g.Expect(a).NotTo(BeNil())
	g.Expect(a.Revision).To(Equal("main@sha1:" + head))
	g.Expect(a.Validate()).To(Succeed())
	g.Expect(got).To(matchers.HaveCondition(meta.ArtifactInStorageCondition, metav1.ConditionTrue).WithReason(meta.SucceededReason))
	g.Expect(got.Status.ObservedIgnore).To(Equal(&ignore))
	g.Expect(fetchArtifact(t, a)).To(Equal(map[string]string{
		"deploy/app.yaml": "replicas: 1\n",
		".sourceignore":   "docs/\n",
	}))

	// No change on the remote: the next reconciles only read the reference
	// advertisement and keep the artifact as it is.
	fetches, adverts := counter.counts("app.git")
	g.Expect(fetches).To(BeNumerically(">=", 1))
	g.Eventually(func() int { _, n := counter.counts("app.git"); return n }).
		WithTimeout(eventually).Should(BeNumerically(">=", adverts+2))
	f2, _ := counter.counts("app.git")
	g.Expect(f2).To(Equal(fetches), "no clone while the branch does not move")
	same := getGit(g, obj)
	g.Expect(same.Status.Artifact).To(Equal(a))

	// A new commit gives a new artifact.
	next, err := srv.Commit(t.Context(), "app.git", gitserver.CommitOptions{Files: map[string]string{"deploy/app.yaml": "replicas: 2\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	got = waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.Artifact.Revision).To(Equal("main@sha1:" + next))
	})
	g.Expect(got.Status.Artifact.Digest).NotTo(Equal(a.Digest))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(HaveKeyWithValue("deploy/app.yaml", "replicas: 2\n"))
	g.Expect(store.Has(a)).To(BeTrue(), "the previous artifact is retained")

	// Changing the ignore rules rebuilds the artifact without a new commit.
	more := "*.env\ndeploy/\n"
	mergePatch(t, obj, map[string]any{"spec": map[string]any{"ignore": more}})
	got = waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.ObservedIgnore).To(Equal(&more))
	})
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + next))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{".sourceignore": "docs/\n"}))

	// Each new revision was announced once, with its revision.
	var revisions []string
	for _, e := range received.find(ns, "app") {
		g.Expect(e.Severity).To(Equal(event.SeverityInfo))
		g.Expect(e.ReportingController).To(Equal("source-controller"))
		revisions = append(revisions, e.Metadata[event.MetadataRevision])
	}
	g.Expect(revisions).To(Equal([]string{"main@sha1:" + head, "main@sha1:" + next, "main@sha1:" + next}),
		"the first artifact, the new commit, the artifact rebuilt with other ignore rules")

	// Deleting the object removes its artifacts.
	last := got.Status.Artifact
	g.Expect(env.DeleteAndWait(t.Context(), obj)).To(Succeed())
	g.Expect(store.Has(last)).To(BeFalse())
}

func TestGitRepositoryChecksOutTagsSemverAndCommits(t *testing.T) {
	g := NewWithT(t)
	srv := newGitServer(t, &requestCounter{})
	first, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"v": "1.0.0"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(t.Context(), "app.git", gitserver.TagOptions{Name: "v1.0.0", Message: "release 1.0.0"})
	g.Expect(err).NotTo(HaveOccurred())
	second, err := srv.Commit(t.Context(), "app.git", gitserver.CommitOptions{Files: map[string]string{"v": "1.1.0"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(t.Context(), "app.git", gitserver.TagOptions{Name: "v1.1.0", Target: second})
	g.Expect(err).NotTo(HaveOccurred())
	third, err := srv.Commit(t.Context(), "app.git", gitserver.CommitOptions{Files: map[string]string{"v": "2.0.0"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(t.Context(), "app.git", gitserver.TagOptions{Name: "v2.0.0", Target: third})
	g.Expect(err).NotTo(HaveOccurred())

	ns := newNamespace(t)
	tests := []struct {
		name     string
		ref      sourcev1.GitRepositoryReference
		revision string
		content  string
	}{
		{"tag", sourcev1.GitRepositoryReference{Tag: "v1.0.0"}, "v1.0.0@sha1:" + first, "1.0.0"},
		{"semver", sourcev1.GitRepositoryReference{SemVer: ">=1.0.0 <2.0.0"}, "v1.1.0@sha1:" + second, "1.1.0"},
		{"commit", sourcev1.GitRepositoryReference{Commit: second}, "sha1:" + second, "1.1.0"},
		{"branch-and-commit", sourcev1.GitRepositoryReference{Branch: "main", Commit: first}, "main@sha1:" + first, "1.0.0"},
		{"name", sourcev1.GitRepositoryReference{Name: "refs/tags/v2.0.0"}, "v2.0.0@sha1:" + third, "2.0.0"},
	}
	objs := map[string]*sourcev1.GitRepository{}
	for _, tt := range tests {
		ref := tt.ref
		obj := gitRepo(ns, tt.name, srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) { o.Spec.Reference = &ref })
		g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())
		objs[tt.name] = obj
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := waitGit(t, objs[tt.name], matchers.BeReady())
			g := NewWithT(t)
			g.Expect(got.Status.Artifact.Revision).To(Equal(tt.revision))
			g.Expect(fetchArtifact(t, got.Status.Artifact)).To(HaveKeyWithValue("v", tt.content))
		})
	}
}

// sshKey is an ed25519 key pair in the forms the tests need.
type sshKey struct {
	privatePEM []byte
	public     ssh.PublicKey
	file       string
}

func newSSHKey(t *testing.T) sshKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	k := sshKey{privatePEM: pem.EncodeToMemory(block), public: sshPub, file: filepath.Join(t.TempDir(), "id_ed25519")}
	if err := os.WriteFile(k.file, k.privatePEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

func (k sshKey) allowedSigners() string {
	return gitserver.IdentityEmail + " " + string(ssh.MarshalAuthorizedKey(k.public))
}

func TestGitRepositoryOverSSHVerifiesSignedCommits(t *testing.T) {
	g := NewWithT(t)
	counter := &requestCounter{}
	srv := newGitServer(t, counter)
	clientKey := newSSHKey(t)
	srv.AuthorizeKey(clientKey.public)
	signer := newSSHKey(t)
	stranger := newSSHKey(t)

	signed, err := srv.CreateRepo(t.Context(), "signed.git", gitserver.RepoOptions{
		Files:  map[string]string{"a.yaml": "a: 1\n"},
		Signer: gitserver.Signer{Format: gitserver.SignSSH, Key: signer.file},
	})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateRepo(t.Context(), "unsigned.git", gitserver.RepoOptions{Files: map[string]string{"a.yaml": "a: 1\n"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateRepo(t.Context(), "stranger.git", gitserver.RepoOptions{
		Files:  map[string]string{"a.yaml": "a: 1\n"},
		Signer: gitserver.Signer{Format: gitserver.SignSSH, Key: stranger.file},
	})
	g.Expect(err).NotTo(HaveOccurred())

	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ssh"},
		Data: map[string][]byte{
			"identity":    clientKey.privatePEM,
			"known_hosts": srv.KnownHosts(),
		},
	})).To(Succeed())
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "signers"},
		Data:       map[string][]byte{"team.allowed_signers": []byte(signer.allowedSigners())},
	})).To(Succeed())
	verified := func(o *sourcev1.GitRepository) {
		o.Spec.SecretRef = &meta.LocalObjectReference{Name: "ssh"}
		o.Spec.Verify = &sourcev1.GitRepositoryVerification{Mode: sourcev1.GitVerifyHEAD, SecretRef: meta.LocalObjectReference{Name: "signers"}}
	}
	good := gitRepo(ns, "signed", srv.SSHURL("signed.git"), verified)
	unsigned := gitRepo(ns, "unsigned", srv.SSHURL("unsigned.git"), verified)
	wrongKey := gitRepo(ns, "stranger", srv.SSHURL("stranger.git"), verified)
	for _, o := range []*sourcev1.GitRepository{good, unsigned, wrongKey} {
		g.Expect(env.Client().Create(t.Context(), o)).To(Succeed())
	}

	got := waitGit(t, good, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + signed))
	g.Expect(got).To(matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionTrue).WithMessage(gitserver.IdentityEmail))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(HaveKeyWithValue("a.yaml", "a: 1\n"))

	for _, o := range []*sourcev1.GitRepository{unsigned, wrongKey} {
		got := waitGit(t, o, matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
		g.Expect(got).To(matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
		g.Expect(got.Status.Artifact).To(BeNil(), "no artifact from an unverified commit")
	}
}

func TestGitRepositoryReportsUnusableSpecs(t *testing.T) {
	g := NewWithT(t)
	srv := newGitServer(t, &requestCounter{})
	_, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"a": "b"}})
	g.Expect(err).NotTo(HaveOccurred())
	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "no-known-hosts"},
		Data:       map[string][]byte{"identity": newSSHKey(t).privatePEM},
	})).To(Succeed())
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "no-keys"},
		Data:       map[string][]byte{"README": []byte("nothing")},
	})).To(Succeed())

	tests := []struct {
		name    string
		obj     *sourcev1.GitRepository
		stalled bool
		reason  string
	}{
		{"url-without-path", gitRepo(ns, "no-path", "https://example.invalid"), true, meta.InvalidURLReason},
		{"missing-secret", gitRepo(ns, "missing-secret", srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) {
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "absent"}
		}), false, meta.AuthenticationFailedReason},
		{"ssh-without-known-hosts", gitRepo(ns, "bad-secret", srv.SSHURL("app.git"), func(o *sourcev1.GitRepository) {
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "no-known-hosts"}
		}), true, meta.InvalidConfigReason},
		{"verification-without-keys", gitRepo(ns, "no-keys", srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) {
			o.Spec.Verify = &sourcev1.GitRepositoryVerification{SecretRef: meta.LocalObjectReference{Name: "no-keys"}}
		}), true, meta.InvalidConfigReason},
		{"missing-branch", gitRepo(ns, "missing-branch", srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) {
			o.Spec.Reference = &sourcev1.GitRepositoryReference{Branch: "nope"}
		}), false, meta.FailedReason},
	}
	for _, tt := range tests {
		g.Expect(env.Client().Create(t.Context(), tt.obj)).To(Succeed(), tt.name)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(tt.reason)
			got := waitGit(t, tt.obj, m)
			g := NewWithT(t)
			g.Eventually(func() []event.Event { return received.find(ns, tt.obj.Name) }).Should(ContainElement(
				HaveField("Severity", event.SeverityError)), "a failure is announced")
			if tt.stalled {
				g.Expect(got).To(matchers.BeStalled())
			} else {
				g.Expect(got).To(matchers.BeReconciling().WithReason(meta.ProgressingWithRetryReason))
				g.Expect(got).To(matchers.HaveCondition(meta.FetchFailedCondition, metav1.ConditionTrue).WithReason(tt.reason))
			}
		})
	}
}

func TestGitRepositorySuspendAndReconcileRequest(t *testing.T) {
	g := NewWithT(t)
	srv := newGitServer(t, &requestCounter{})
	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"a": "1"}})
	g.Expect(err).NotTo(HaveOccurred())
	ns := newNamespace(t)
	obj := gitRepo(ns, "app", srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) {
		o.Spec.Interval = metav1.Duration{Duration: time.Hour}
	})
	g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())
	waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	})

	// With an hour's interval, only a reconcile request picks up a commit.
	next, err := srv.Commit(t.Context(), "app.git", gitserver.CommitOptions{Files: map[string]string{"a": "2"}})
	g.Expect(err).NotTo(HaveOccurred())
	requestReconcile(t, obj, "now")
	got := waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.Artifact.Revision).To(Equal("main@sha1:" + next))
	})
	g.Expect(got.Status.LastHandledReconcileAt).To(Equal("now"))

	// Suspended, a request changes nothing.
	mergePatch(t, obj, map[string]any{"spec": map[string]any{"suspend": true}})
	_, err = srv.Commit(t.Context(), "app.git", gitserver.CommitOptions{Files: map[string]string{"a": "3"}})
	g.Expect(err).NotTo(HaveOccurred())
	requestReconcile(t, obj, "again")
	g.Consistently(func(g Gomega) {
		o := getGit(g, obj)
		g.Expect(o.Status.Artifact.Revision).To(Equal("main@sha1:" + next))
		g.Expect(o.Status.LastHandledReconcileAt).To(Equal("now"))
	}).WithTimeout(3 * time.Second).Should(Succeed())
}

func TestGitRepositoryVerifiesOpenPGPSignedTagAndCommit(t *testing.T) {
	g := NewWithT(t)
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed")
	}
	home, err := os.MkdirTemp("", "gnupg-") // short: gpg-agent's socket path is limited
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		_ = os.RemoveAll(home)
	})
	g.Expect(os.Chmod(home, 0o700)).To(Succeed())
	out, err := exec.CommandContext(t.Context(), gpg, "--homedir", home, "--batch", "--passphrase", "",
		"--quick-gen-key", gitserver.IdentityName+" <"+gitserver.IdentityEmail+">", "ed25519", "sign", "never").CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), string(out))
	armored, err := exec.CommandContext(t.Context(), gpg, "--homedir", home, "--armor", "--export", gitserver.IdentityEmail).Output()
	g.Expect(err).NotTo(HaveOccurred())
	pgp := gitserver.Signer{Format: gitserver.SignOpenPGP, Key: gitserver.IdentityEmail, GNUPGHome: home}

	srv := newGitServer(t, &requestCounter{})
	head, err := srv.CreateRepo(t.Context(), "app.git", gitserver.RepoOptions{Files: map[string]string{"a": "1"}, Signer: pgp})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(t.Context(), "app.git", gitserver.TagOptions{Name: "v1.0.0", Message: "signed release", Signer: pgp})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = srv.CreateTag(t.Context(), "app.git", gitserver.TagOptions{Name: "v1.0.1", Message: "unsigned release"})
	g.Expect(err).NotTo(HaveOccurred())

	ns := newNamespace(t)
	g.Expect(env.Client().Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pgp"},
		Data:       map[string][]byte{"release.asc": armored},
	})).To(Succeed())
	verifyTag := func(tag string) func(*sourcev1.GitRepository) {
		return func(o *sourcev1.GitRepository) {
			o.Spec.Reference = &sourcev1.GitRepositoryReference{Tag: tag}
			o.Spec.Verify = &sourcev1.GitRepositoryVerification{Mode: sourcev1.GitVerifyTagAndHEAD, SecretRef: meta.LocalObjectReference{Name: "pgp"}}
		}
	}
	signedTag := gitRepo(ns, "signed-tag", srv.HTTPURL("app.git"), verifyTag("v1.0.0"))
	unsignedTag := gitRepo(ns, "unsigned-tag", srv.HTTPURL("app.git"), verifyTag("v1.0.1"))
	noTag := gitRepo(ns, "no-tag", srv.HTTPURL("app.git"), func(o *sourcev1.GitRepository) {
		o.Spec.Verify = &sourcev1.GitRepositoryVerification{Mode: sourcev1.GitVerifyTag, SecretRef: meta.LocalObjectReference{Name: "pgp"}}
	})
	for _, o := range []*sourcev1.GitRepository{signedTag, unsignedTag, noTag} {
		g.Expect(env.Client().Create(t.Context(), o)).To(Succeed())
	}

	got := waitGit(t, signedTag, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("v1.0.0@sha1:" + head))
	g.Expect(got).To(matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionTrue).WithMessage("tag v1.0.0 signed by"))

	got = waitGit(t, unsignedTag, matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
	g.Expect(got).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).WithReason(meta.VerificationFailedReason))
	g.Expect(conditions.GetMessage(got, meta.SourceVerifiedCondition)).To(ContainSubstring("v1.0.1"))

	got = waitGit(t, noTag, matchers.BeStalled().WithReason(meta.InvalidConfigReason))
	g.Expect(got).To(matchers.HaveCondition(meta.SourceVerifiedCondition, metav1.ConditionFalse).WithReason(meta.InvalidConfigReason))
}

func TestGitRepositorySparseCheckout(t *testing.T) {
	g := NewWithT(t)
	counter := &requestCounter{}
	srv := newGitServer(t, counter)
	head, err := srv.CreateRepo(t.Context(), "mono.git", gitserver.RepoOptions{Files: map[string]string{
		"README.md":          "root\n",
		"deploy/prod/a.yaml": "prod\n",
		"deploy/dev/a.yaml":  "dev\n",
		"src/main.go":        "package main\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())
	ns := newNamespace(t)
	obj := gitRepo(ns, "mono", srv.HTTPURL("mono.git"), func(o *sourcev1.GitRepository) {
		o.Spec.SparseCheckout = []string{"deploy/prod"}
	})
	g.Expect(env.Client().Create(t.Context(), obj)).To(Succeed())
	got := waitGit(t, obj, matchers.BeReady())
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(got.Status.ObservedSparseCheckout).To(Equal([]string{"deploy/prod"}))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{"deploy/prod/a.yaml": "prod\n"}))

	// Another set of directories rebuilds the artifact from the same commit.
	fetches, _ := counter.counts("mono.git")
	mergePatch(t, obj, map[string]any{"spec": map[string]any{"sparseCheckout": []string{"deploy/prod", "deploy/dev"}}})
	got = waitGit(t, obj, matchers.BeReady(), func(g Gomega, o *sourcev1.GitRepository) {
		g.Expect(o.Status.ObservedSparseCheckout).To(ConsistOf("deploy/prod", "deploy/dev"))
	})
	g.Expect(got.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	g.Expect(fetchArtifact(t, got.Status.Artifact)).To(Equal(map[string]string{"deploy/prod/a.yaml": "prod\n", "deploy/dev/a.yaml": "dev\n"}))
	after, _ := counter.counts("mono.git")
	g.Expect(after).To(BeNumerically(">", fetches), "the changed setting made a new clone")
}
