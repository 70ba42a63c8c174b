package image_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/git/signature"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/testenv/matchers"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// manifest is a Deployment whose image carries a setter comment, in the
// layout people write by hand: comments, blank lines, a flow sequence.
func manifest(ns, image string) string {
	return fmt.Sprintf(`# Deployed by the image automation test.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app   # keep this comment

spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: %[2]s # {"$imagepolicy": "%[1]s:app"}
          args: ["--port", "8080"]
        - name: sidecar
          image: "busybox:1.36" # not managed
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: app
    newTag: %[3]s # {"$imagepolicy": "%[1]s:app:tag"}
`, ns, image, image[strings.LastIndex(image, ":")+1:])
}

// gitCLI runs the real git CLI in dir, isolated from the user's
// configuration, and returns its trimmed output.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// cloneCLI clones branch of url with the git CLI and returns the folder.
func cloneCLI(t *testing.T, url, branch string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	gitCLI(t, t.TempDir(), "clone", "--quiet", "--branch", branch, url, dir)
	return dir
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p) //nolint:gosec // test file
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// automationFixture is a registry with an image, a policy selecting its
// latest 1.x tag, and a Git server with a repository of manifests.
type automationFixture struct {
	ns   string
	reg  *registry.Registry
	srv  *gitserver.Server
	repo *imagev1.ImageRepository
	pol  *imagev1.ImagePolicy
}

func newAutomationFixture(t *testing.T) *automationFixture {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	reg := newRegistry(t)
	pushTags(t, reg, "team/app", "v1.0.0", "v1.1.0")
	ns := newNamespace(t)
	repo := newImageRepository(ns, "app", reg.Host()+"/team/app")
	g.Expect(k8s.Create(ctx, repo)).To(Succeed())
	pol := newImagePolicy(ns, "app", repo.Name, imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "^1.0"}}, nil)
	g.Expect(k8s.Create(ctx, pol)).To(Succeed())

	srv, err := gitserver.New(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })
	g.Expect(srv.StartHTTP(ctx)).To(Succeed())

	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
		g.Expect(pol.Status.LatestRef).NotTo(BeNil())
		g.Expect(pol.Status.LatestRef.Tag).To(Equal("v1.1.0"))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	return &automationFixture{ns: ns, reg: reg, srv: srv, repo: repo, pol: pol}
}

// gitRepository creates a repository named repoName on the server, with
// the manifest at image v1.0.0 under deploy/, and its GitRepository.
func (f *automationFixture) gitRepository(t *testing.T, repoName string) *sourcev1.GitRepository {
	t.Helper()
	return f.gitRepositoryAt(t, repoName, f.srv.HTTPURL(repoName+".git"), nil)
}

// gitRepositoryAt is gitRepository with the URL and credentials Secret
// of the GitRepository.
func (f *automationFixture) gitRepositoryAt(t *testing.T, repoName, url string, secret *meta.LocalObjectReference) *sourcev1.GitRepository {
	t.Helper()
	g := NewWithT(t)
	_, err := f.srv.CreateRepo(t.Context(), repoName+".git", gitserver.RepoOptions{Files: map[string]string{
		"deploy/app.yaml":      manifest(f.ns, f.reg.Host()+"/team/app:v1.0.0"),
		"deploy/template.yaml": "image: {{ .Values.image }} # {\"$imagepolicy\": \"" + f.ns + ":app\"}\n",
		"outside/app.yaml":     manifest(f.ns, f.reg.Host()+"/team/app:v1.0.0"),
		"README.md":            "fleet\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())
	gr := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: repoName},
		Spec: sourcev1.GitRepositorySpec{
			URL:       url,
			SecretRef: secret,
			Reference: &sourcev1.GitRepositoryReference{Branch: gitserver.DefaultBranch},
			Interval:  metav1.Duration{Duration: time.Hour},
		},
	}
	g.Expect(k8s.Create(t.Context(), gr)).To(Succeed())
	return gr
}

func newAutomation(ns, objName, source string) *imagev1.ImageUpdateAutomation {
	return &imagev1.ImageUpdateAutomation{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: objName},
		Spec: imagev1.ImageUpdateAutomationSpec{
			SourceRef: imagev1.SourceReference{Name: source},
			GitSpec: imagev1.GitSpec{
				Checkout: &imagev1.GitCheckout{Ref: imagev1.GitBranchReference{Branch: gitserver.DefaultBranch}},
				Commit: imagev1.CommitSpec{
					Author:          imagev1.CommitUser{Name: "Image Bot", Email: "bot@example.com"},
					MessageTemplate: "Update {{ .AutomationObject }}\n{{ range .Changes }}\n{{ .File }}:{{ .Line }} {{ .OldValue }} -> {{ .NewValue }}{{ end }}\n",
				},
			},
			Update:   &imagev1.UpdateStrategy{Path: "./deploy", Strategy: imagev1.UpdateStrategySetters},
			Interval: metav1.Duration{Duration: time.Hour},
		},
	}
}

func TestImageUpdateAutomationCommitsAndPushes(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	f := newAutomationFixture(t)
	gr := f.gitRepository(t, "fleet")
	url := gr.Spec.URL
	initial, err := f.srv.Resolve(ctx, "fleet.git", "refs/heads/main")
	g.Expect(err).NotTo(HaveOccurred())

	auto := newAutomation(f.ns, "fleet", gr.Name)
	g.Expect(k8s.Create(ctx, auto)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
		g.Expect(auto).To(matchers.BeReady().ForCurrentGeneration().WithMessage("pushed commit"))
		settled(g, auto)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	first := auto.Status.LastPushCommit
	g.Expect(first).To(HaveLen(40))
	g.Expect(auto.Status.LastPushTime).NotTo(BeNil())
	g.Expect(auto.Status.LastAutomationRunTime).NotTo(BeNil())
	g.Expect(auto.Status.ObservedPolicies).To(Equal([]imagev1.ObservedPolicy{{
		Namespace: f.ns, Name: "app", Ref: imagev1.ImageRef{Name: f.reg.Host() + "/team/app", Tag: "v1.1.0"},
	}}))

	// The git CLI sees one new commit on main with the new image, every
	// other byte of the file as it was, files outside update.path and
	// non-YAML templates untouched.
	dir := cloneCLI(t, url, "main")
	g.Expect(gitCLI(t, dir, "rev-parse", "HEAD")).To(Equal(first))
	g.Expect(gitCLI(t, dir, "rev-parse", "HEAD^")).To(Equal(initial))
	g.Expect(gitCLI(t, dir, "log", "-1", "--format=%an <%ae>")).To(Equal("Image Bot <bot@example.com>"))
	g.Expect(gitCLI(t, dir, "log", "-1", "--format=%B")).To(Equal(fmt.Sprintf(
		"Update %s/fleet\n\ndeploy/app.yaml:13 %[2]s:v1.0.0 -> %[2]s:v1.1.0\ndeploy/app.yaml:22 v1.0.0 -> v1.1.0", f.ns, f.reg.Host()+"/team/app")))
	g.Expect(readFile(t, filepath.Join(dir, "deploy", "app.yaml"))).To(Equal(manifest(f.ns, f.reg.Host()+"/team/app:v1.1.0")))
	g.Expect(readFile(t, filepath.Join(dir, "outside", "app.yaml"))).To(Equal(manifest(f.ns, f.reg.Host()+"/team/app:v1.0.0")))
	g.Expect(gitCLI(t, dir, "show", "--name-only", "--format=", "HEAD")).To(Equal("deploy/app.yaml"))

	// Nothing changed: a new run pushes nothing.
	token := requestReconcile(t, auto)
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
		g.Expect(auto.Status.LastHandledReconcileAt).To(Equal(token))
		g.Expect(auto).To(matchers.BeReady().WithMessage("no image to update"))
		settled(g, auto)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	g.Expect(auto.Status.LastPushCommit).To(Equal(first))
	head, err := f.srv.Resolve(ctx, "fleet.git", "refs/heads/main")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(head).To(Equal(first))

	// A new tag: the repository scan moves the policy, whose change runs
	// the automation through the watch.
	pushTags(t, f.reg, "team/app", "v1.2.0")
	requestReconcile(t, f.repo)
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
		g.Expect(auto.Status.LastPushCommit).NotTo(Equal(first))
		g.Expect(auto).To(matchers.BeReady().WithMessage("pushed commit"))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	dir = cloneCLI(t, url, "main")
	g.Expect(gitCLI(t, dir, "rev-parse", "HEAD")).To(Equal(auto.Status.LastPushCommit))
	g.Expect(gitCLI(t, dir, "rev-parse", "HEAD^")).To(Equal(first))
	g.Expect(readFile(t, filepath.Join(dir, "deploy", "app.yaml"))).To(Equal(manifest(f.ns, f.reg.Host()+"/team/app:v1.2.0")))
}

func TestImageUpdateAutomationSignsAndPushesToBranch(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	f := newAutomationFixture(t)
	gr := f.gitRepository(t, "signed")
	initial, err := f.srv.Resolve(ctx, "signed.git", "refs/heads/main")
	g.Expect(err).NotTo(HaveOccurred())

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	g.Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "")
	g.Expect(err).NotTo(HaveOccurred())
	sshPub, err := ssh.NewPublicKey(pub)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "signing-key"},
		Data:       map[string][]byte{imagev1.SigningKeySSHKey: pem.EncodeToMemory(block)},
	})).To(Succeed())

	auto := newAutomation(f.ns, "signed", gr.Name)
	auto.Spec.GitSpec.Commit.MessageTemplate = ""
	auto.Spec.GitSpec.Commit.SigningKey = &imagev1.SigningKey{SecretRef: meta.LocalObjectReference{Name: "signing-key"}}
	auto.Spec.GitSpec.Push = &imagev1.GitPush{Branch: "image-updates"}
	g.Expect(k8s.Create(ctx, auto)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
		g.Expect(auto).To(matchers.BeReady().ForCurrentGeneration().WithMessage("to branch image-updates"))
		settled(g, auto)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	// main is untouched; the push branch holds one signed commit on top of
	// it, which git verify-commit accepts with the key as allowed signer.
	head, err := f.srv.Resolve(ctx, "signed.git", "refs/heads/main")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(head).To(Equal(initial))
	dir := cloneCLI(t, gr.Spec.URL, "image-updates")
	g.Expect(gitCLI(t, dir, "rev-parse", "HEAD")).To(Equal(auto.Status.LastPushCommit))
	g.Expect(gitCLI(t, dir, "rev-parse", "HEAD^")).To(Equal(initial))
	g.Expect(gitCLI(t, dir, "log", "-1", "--format=%s")).To(Equal("Update images (" + f.ns + "/signed)"))
	allowed := filepath.Join(t.TempDir(), "allowed_signers")
	g.Expect(os.WriteFile(allowed, []byte("bot@example.com "+string(ssh.MarshalAuthorizedKey(sshPub))), 0o600)).To(Succeed())
	out := gitCLI(t, dir, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "-v", "HEAD")
	g.Expect(out).To(ContainSubstring(`Good "git" signature for bot@example.com`))
	g.Expect(readFile(t, filepath.Join(dir, "deploy", "app.yaml"))).To(Equal(manifest(f.ns, f.reg.Host()+"/team/app:v1.1.0")))

	// A commit of the checkout branch is not a reason to commit again.
	token := requestReconcile(t, auto)
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
		g.Expect(auto.Status.LastHandledReconcileAt).To(Equal(token))
		g.Expect(auto).To(matchers.BeReady().WithMessage("no image to update"))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}

func TestImageUpdateAutomationInvalidSpecStalls(t *testing.T) {
	needManager(t)
	ctx := t.Context()
	f := newAutomationFixture(t)
	gr := f.gitRepository(t, "invalid")
	tests := []struct {
		name    string
		mutate  func(*imagev1.ImageUpdateAutomation)
		message string
	}{
		{name: "template", mutate: func(a *imagev1.ImageUpdateAutomation) { a.Spec.GitSpec.Commit.MessageTemplate = "{{ .Nope" }, message: "parse commit message template"},
		{name: "signing-key", mutate: func(a *imagev1.ImageUpdateAutomation) {
			a.Spec.GitSpec.Commit.SigningKey = &imagev1.SigningKey{SecretRef: meta.LocalObjectReference{Name: "garbage-key"}}
		}, message: "invalid key"},
		{name: "path", mutate: func(a *imagev1.ImageUpdateAutomation) { a.Spec.Update.Path = "../up" }, message: "leaves the repository"},
	}
	NewWithT(t).Expect(k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "garbage-key"},
		Data:       map[string][]byte{imagev1.SigningKeyOpenPGPKey: []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nnot a key\n-----END PGP PRIVATE KEY BLOCK-----\n")},
	})).To(Succeed())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			auto := newAutomation(f.ns, tt.name, gr.Name)
			tt.mutate(auto)
			g.Expect(k8s.Create(ctx, auto)).To(Succeed())
			g.Eventually(func(g Gomega) {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
				g.Expect(auto).To(matchers.BeStalled().WithReason(meta.InvalidConfigReason).WithMessage(tt.message))
				g.Expect(auto).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).ForCurrentGeneration())
				settled(g, auto)
			}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
			g.Expect(auto.Status.LastPushCommit).To(BeEmpty())
		})
	}
}

func TestImageUpdateAutomationOverSSHWithOpenPGPSignature(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	f := newAutomationFixture(t)
	g.Expect(f.srv.StartSSH(ctx)).To(Succeed())

	// The GitRepository's Secret holds an SSH deploy key and known_hosts.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	g.Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "")
	g.Expect(err).NotTo(HaveOccurred())
	signer, err := ssh.NewSignerFromKey(priv)
	g.Expect(err).NotTo(HaveOccurred())
	f.srv.AuthorizeKey(signer.PublicKey())
	g.Expect(k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "deploy-key"},
		Data:       map[string][]byte{"identity": pem.EncodeToMemory(block), "known_hosts": f.srv.KnownHosts()},
	})).To(Succeed())
	gr := f.gitRepositoryAt(t, "over-ssh", f.srv.SSHURL("over-ssh.git"), &meta.LocalObjectReference{Name: "deploy-key"})

	// The commits are signed with an OpenPGP key.
	entity, err := openpgp.NewEntity("Image Bot", "", "bot@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	g.Expect(err).NotTo(HaveOccurred())
	var pub, secret bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entity.Serialize(w)).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	w, err = armor.Encode(&secret, openpgp.PrivateKeyType, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entity.SerializePrivate(w, nil)).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	g.Expect(k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "signing-pgp"},
		Data:       map[string][]byte{imagev1.SigningKeyOpenPGPKey: secret.Bytes()},
	})).To(Succeed())

	auto := newAutomation(f.ns, "over-ssh", gr.Name)
	auto.Spec.GitSpec.Checkout = nil // the GitRepository's branch
	auto.Spec.GitSpec.Commit.SigningKey = &imagev1.SigningKey{SecretRef: meta.LocalObjectReference{Name: "signing-pgp"}}
	g.Expect(k8s.Create(ctx, auto)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(auto), auto)).To(Succeed())
		g.Expect(auto).To(matchers.BeReady().ForCurrentGeneration().WithMessage("to branch main"))
		settled(g, auto)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	head, err := f.srv.Resolve(ctx, "over-ssh.git", "refs/heads/main")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(head).To(Equal(auto.Status.LastPushCommit))

	// The pushed commit verifies against the public key.
	c, err := gogit.NewClient(filepath.Join(t.TempDir(), "verify"), nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, f.srv.HTTPURL("over-ssh.git"), git.CloneOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	v, err := signature.NewVerifier(signature.TrustedKeys{OpenPGPKeyRings: [][]byte{pub.Bytes()}})
	g.Expect(err).NotTo(HaveOccurred())
	verified, err := c.VerifyCommit(ctx, "", v)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(verified.Format).To(Equal(git.SignatureOpenPGP))
	g.Expect(verified.Signer).To(ContainSubstring("bot@example.com"))
	dir := cloneCLI(t, f.srv.HTTPURL("over-ssh.git"), "main")
	g.Expect(readFile(t, filepath.Join(dir, "deploy", "app.yaml"))).To(Equal(manifest(f.ns, f.reg.Host()+"/team/app:v1.1.0")))
}
