package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/gitserver"
	"github.com/sluice-dev/sluice/testenv/matchers"
	"github.com/sluice-dev/sluice/testenv/registry"

	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
)

// TestImageAutomation follows a new image tag from the registry to the
// cluster: the ImageRepository scans it, the ImagePolicy selects it, the
// ImageUpdateAutomation commits the new reference to Git and pushes, the
// GitRepository picks the commit up and the Sync applies the Deployment
// with the new image. Every hop is asserted on its own.
func TestImageAutomation(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	c := k8sClient()
	ns := createNamespace(t, "image-")

	reg, err := registry.New(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	imageName := reg.Host() + "/team/app"
	pushImage(t, reg, "team/app", "1.0.0")

	srv, err := gitserver.New(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })
	g.Expect(srv.StartHTTP(ctx)).To(Succeed())
	initial, err := srv.CreateRepo(ctx, "fleet.git", gitserver.RepoOptions{Files: map[string]string{
		"deploy/app.yaml": deployment(ns, imageName+":1.0.0"),
		"README.md":       "fleet\n",
	}})
	g.Expect(err).NotTo(HaveOccurred())
	url := srv.HTTPURL("fleet.git")

	startControllers(t, controllerOptions{namespaces: []string{ns}, image: true})

	source := newGitRepository(ns, "fleet", url)
	g.Expect(c.Create(ctx, source)).To(Succeed())
	// Deployments never become available on testenv (no controllers run):
	// the Sync applies without waiting for health.
	sync := newSync(ns, "app", "fleet", "./deploy")
	g.Expect(c.Create(ctx, sync)).To(Succeed())
	eventuallyArtifact(t, source, "main@sha1:"+initial)
	eventuallyApplied(t, sync, "main@sha1:"+initial)
	g.Expect(deployedImage(g, ns, "app")).To(Equal(imageName + ":1.0.0"))

	repo := &imagev1.ImageRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"},
		Spec: imagev1.ImageRepositorySpec{
			Image:    imageName,
			Interval: metav1.Duration{Duration: time.Second},
			Insecure: true,
		},
	}
	g.Expect(c.Create(ctx, repo)).To(Succeed())
	policy := &imagev1.ImagePolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"},
		Spec: imagev1.ImagePolicySpec{
			ImageRepositoryRef: imagev1.ImageRepositoryReference{Name: repo.Name},
			Policy:             imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: ">=1.0.0"}},
		},
	}
	g.Expect(c.Create(ctx, policy)).To(Succeed())
	auto := &imagev1.ImageUpdateAutomation{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fleet"},
		Spec: imagev1.ImageUpdateAutomationSpec{
			SourceRef: imagev1.SourceReference{Kind: sourcev1.GitRepositoryKind, Name: source.Name},
			GitSpec: imagev1.GitSpec{
				Checkout: &imagev1.GitCheckout{Ref: imagev1.GitBranchReference{Branch: "main"}},
				Commit: imagev1.CommitSpec{
					Author:          imagev1.CommitUser{Name: "Image Bot", Email: "image-bot@sluice.test"},
					MessageTemplate: "Update images of {{ .AutomationObject }}\n{{ range .Changes }}\n{{ .File }}: {{ .OldValue }} -> {{ .NewValue }}{{ end }}\n",
				},
				Push: &imagev1.GitPush{Branch: "main"},
			},
			Update:   &imagev1.UpdateStrategy{Path: "./deploy", Strategy: imagev1.UpdateStrategySetters},
			Interval: metav1.Duration{Duration: interval},
		},
	}
	g.Expect(c.Create(ctx, auto)).To(Succeed())

	// Before the new tag: 1.0.0 is selected, Git already says so, nothing
	// is pushed.
	g.Eventually(func(g Gomega) {
		get(g, policy)
		g.Expect(policy).To(matchers.BeReady())
		g.Expect(policy.Status.LatestRef).NotTo(BeNil())
		g.Expect(policy.Status.LatestRef.Tag).To(Equal("1.0.0"))
		get(g, auto)
		g.Expect(auto).To(matchers.BeReady())
		g.Expect(auto.Status.LastAutomationRunTime).NotTo(BeNil())
		g.Expect(conditions.CheckKstatus(auto)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	g.Expect(auto.Status.LastPushCommit).To(BeEmpty())

	pushImage(t, reg, "team/app", "1.1.0")

	// Hop 1: the ImageRepository sees the new tag.
	g.Eventually(func(g Gomega) {
		get(g, repo)
		g.Expect(repo).To(matchers.BeReady())
		g.Expect(repo.Status.LastScanResult).NotTo(BeNil())
		g.Expect(repo.Status.LastScanResult.TagCount).To(Equal(2))
		g.Expect(repo.Status.LastScanResult.LatestTags).To(ContainElements("1.1.0", "1.0.0"))
		g.Expect(repo.Status.CanonicalImageName).To(Equal(imageName))
		g.Expect(conditions.CheckKstatus(repo)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	// Hop 2: the ImagePolicy selects it.
	g.Eventually(func(g Gomega) {
		get(g, policy)
		g.Expect(policy).To(matchers.BeReady())
		g.Expect(policy.Status.LatestRef).NotTo(BeNil())
		g.Expect(policy.Status.LatestRef.Name).To(Equal(imageName))
		g.Expect(policy.Status.LatestRef.Tag).To(Equal("1.1.0"))
		g.Expect(policy.Status.ObservedPreviousRef).NotTo(BeNil())
		g.Expect(policy.Status.ObservedPreviousRef.Tag).To(Equal("1.0.0"))
		g.Expect(conditions.CheckKstatus(policy)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	// Hop 3: the automation commits to Git and pushes.
	g.Eventually(func(g Gomega) {
		get(g, auto)
		g.Expect(auto).To(matchers.BeReady())
		g.Expect(auto.Status.LastPushCommit).To(HaveLen(40))
		g.Expect(conditions.CheckKstatus(auto)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	pushed := auto.Status.LastPushCommit
	g.Expect(auto.Status.LastPushTime).NotTo(BeNil())

	// Read the pushed commit back with the git CLI.
	clone := filepath.Join(t.TempDir(), "clone")
	gitCLI(t, t.TempDir(), "clone", "--quiet", "--branch", "main", url, clone)
	g.Expect(gitCLI(t, clone, "rev-parse", "HEAD")).To(Equal(pushed))
	g.Expect(gitCLI(t, clone, "rev-parse", "HEAD^")).To(Equal(initial))
	g.Expect(gitCLI(t, clone, "log", "-1", "--format=%an <%ae>")).To(Equal("Image Bot <image-bot@sluice.test>"))
	g.Expect(gitCLI(t, clone, "log", "-1", "--format=%B")).To(And(
		HavePrefix("Update images of "),
		ContainSubstring("deploy/app.yaml: "+imageName+":1.0.0 -> "+imageName+":1.1.0"),
	))
	g.Expect(gitCLI(t, clone, "diff", "--name-only", "HEAD^", "HEAD")).To(Equal("deploy/app.yaml"))
	manifest, err := os.ReadFile(filepath.Join(clone, "deploy", "app.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(manifest)).To(Equal(deployment(ns, imageName+":1.1.0")), "only the image changes, the setter comment stays")

	// Hop 4: the source picks the commit up.
	eventuallyArtifact(t, source, "main@sha1:"+pushed)

	// Hop 5: the applier rolls it out.
	eventuallyApplied(t, sync, "main@sha1:"+pushed)
	g.Expect(deployedImage(g, ns, "app")).To(Equal(imageName + ":1.1.0"))

	// The automation does not push again: Git already has the image.
	g.Consistently(func(g Gomega) {
		get(g, auto)
		g.Expect(auto.Status.LastPushCommit).To(Equal(pushed))
	}).WithTimeout(2 * interval).WithPolling(poll).Should(Succeed())
	g.Expect(gitCLI(t, clone, "ls-remote", url, "refs/heads/main")).To(HavePrefix(pushed))
}

// pushImage pushes a small random image as repo:tag.
func pushImage(t *testing.T, reg *registry.Registry, repo, tag string) {
	t.Helper()
	ref, err := name.NewTag(reg.Ref(repo+":"+tag), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithContext(t.Context()), remote.WithTransport(reg.Transport())); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

// deployment is a Deployment manifest whose image carries the setter
// comment of the ImagePolicy ns/app.
func deployment(ns, image string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    app: app
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: %s # {"$imagepolicy": "%s:app"}
          ports:
            - containerPort: 8080
`, image, ns)
}

// deployedImage returns the image of the first container of the
// Deployment ns/name in the cluster.
func deployedImage(g Gomega, ns, name string) string {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	get(g, d)
	g.Expect(d.Spec.Template.Spec.Containers).NotTo(BeEmpty())
	return strings.TrimSpace(d.Spec.Template.Spec.Containers[0].Image)
}
