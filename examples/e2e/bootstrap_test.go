package e2e_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/git/provider"
	"github.com/sluice-dev/sluice/runtime/conditions"
	"github.com/sluice-dev/sluice/testenv/gitea"
	"github.com/sluice-dev/sluice/testenv/matchers"

	applyv1 "github.com/sluice-dev/sluice/examples/api/apply/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/applier"
)

// TestBootstrap runs the bootstrap flow against a real Gitea: the git
// provider package creates a repository and a read-only deploy key, the
// test pushes the applications and the controllers' own configuration, and
// bootstraps the cluster as `flux bootstrap` does. The controllers then
// fetch the repository over SSH with the deploy key, apply the cluster
// folder (which manages the bootstrap objects themselves and adds the Sync
// of the applications) and the applications; a later commit lands too.
func TestBootstrap(t *testing.T) {
	if os.Getenv("SLUICE_SKIP_GITEA") == "1" {
		t.Skip("SLUICE_SKIP_GITEA=1: not building or starting Gitea")
	}
	g := NewWithT(t)
	ctx := t.Context()
	c := k8sClient()

	srv, err := gitea.Start(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })

	// The repository and its deploy key, through the provider API.
	gp, err := provider.New(ctx, provider.KindGitea, srv.URL(), srv.Token(), provider.WithInsecureHTTP())
	g.Expect(err).NotTo(HaveOccurred())
	ref := provider.RepositoryRef{Name: "fleet", Personal: true}
	repo, err := gp.EnsureRepository(ctx, ref, provider.RepositoryOptions{Description: "fleet configuration", AutoInit: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(repo.Action).To(Equal(provider.ActionCreated))
	g.Expect(repo.Visibility).To(Equal(provider.VisibilityPrivate))
	g.Expect(repo.DefaultBranch).To(Equal("main"))
	owner := repo.Ref.Owner

	identity, publicKey := deployKey(t)
	dk, err := gp.EnsureDeployKey(ctx, repo.Ref, provider.DeployKeyOptions{Title: "sluice-dev", PublicKey: publicKey})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(dk.Action).To(Equal(provider.ActionCreated))
	g.Expect(dk.ReadOnly).To(BeTrue())
	// Bootstrapping again changes nothing on the provider.
	repo, err = gp.EnsureRepository(ctx, ref, provider.RepositoryOptions{Description: "fleet configuration", AutoInit: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(repo.Action).To(Equal(provider.ActionUnchanged))
	dk, err = gp.EnsureDeployKey(ctx, repo.Ref, provider.DeployKeyOptions{Title: "sluice-dev", PublicKey: publicKey})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(dk.Action).To(Equal(provider.ActionUnchanged))

	// The repository is private: anonymous clones are refused, so the
	// controllers can only read it with the deploy key.
	anon, err := gogit.NewClient(filepath.Join(t.TempDir(), "anon"), nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = anon.Clone(ctx, srv.HTTPCloneURL(owner, "fleet"), git.CloneOptions{})
	g.Expect(err).To(MatchError(git.ErrAuthenticationFailed))

	ns := createNamespace(t, "sluice-system-")
	apps := "apps-" + utilrand.String(6)
	sshURL := srv.SSHCloneURL(owner, "fleet")

	// The first commit: the applications and the cluster's configuration,
	// pushed by the administrator over HTTP.
	w := newGiteaWriter(t, srv, owner, "fleet")
	first := w.commit(t, "add the dev cluster and its apps", map[string]string{
		"apps/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + apps + "\n",
		"apps/config.yaml": configMap(apps, "settings", map[string]string{"color": "blue"}) + "---\n" +
			configMap(apps, "features", map[string]string{"beta": "off"}),
		"apps/service.yaml":             service(apps, "web"),
		"clusters/dev/fleet.yaml":       clusterSync(ns, sshURL),
		"clusters/dev/apps.yaml":        appsSync(),
		"clusters/dev/dev-cluster.yaml": configMap("", "cluster-info", map[string]string{"name": "dev"}),
		"clusters/dev/README.md":        "Not YAML: the applier reads only manifests.\n",
	})

	startControllers(t, controllerOptions{namespaces: []string{ns}})

	// Bootstrap: the deploy-key Secret, then the GitRepository and the
	// Sync of the cluster folder, as in clusters/dev/fleet.yaml.
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fleet-deploy-key"},
		Data: map[string][]byte{
			git.KeyIdentity:   identity,
			git.KeyKnownHosts: srv.KnownHosts(),
		},
	}
	g.Expect(c.Create(ctx, secret)).To(Succeed())
	source := newGitRepository(ns, "fleet", sshURL, func(r *sourcev1.GitRepository) {
		r.Spec.SecretRef = &meta.LocalObjectReference{Name: secret.Name}
	})
	g.Expect(c.Create(ctx, source)).To(Succeed())
	fleet := newSync(ns, "fleet", "fleet", "./clusters/dev")
	g.Expect(c.Create(ctx, fleet)).To(Succeed())

	// The source fetched the pushed commit over SSH with the deploy key.
	firstRev := "main@sha1:" + first
	got := eventuallyArtifact(t, source, firstRev)
	u, err := url.Parse(got.Spec.URL)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(u.Scheme).To(Equal("ssh"))
	g.Expect(u.Host).To(Equal(srv.SSHAddr()))
	g.Expect(got.Spec.SecretRef).To(Equal(&meta.LocalObjectReference{Name: secret.Name}))
	g.Expect(got.Status.Artifact.Digest).To(HavePrefix("sha256:"))

	// The cluster folder is applied: it manages the bootstrap objects
	// themselves, adds the Sync of the applications and a ConfigMap.
	fleetSync := eventuallyApplied(t, fleet, firstRev)
	g.Expect(inventoryIDs(fleetSync)).To(ContainElements(
		ns+"_fleet_"+sourcev1.Group+"_"+sourcev1.GitRepositoryKind,
		ns+"_fleet_"+applyv1.Group+"_"+applyv1.SyncKind,
		ns+"_apps_"+applyv1.Group+"_"+applyv1.SyncKind,
		ns+"_cluster-info__ConfigMap",
	))
	for _, obj := range []client.Object{
		&sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fleet"}},
		&applyv1.Sync{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fleet"}},
	} {
		get(g, obj)
		g.Expect(managers(obj)).To(ContainElement(applier.DefaultFieldManager), "%T %s is not managed from Git", obj, obj.GetName())
	}

	// The Sync from Git applies the applications.
	appsSync := &applyv1.Sync{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "apps"}}
	appsGot := eventuallyApplied(t, appsSync, firstRev)
	g.Expect(appsGot.Spec.Wait).To(BeTrue())
	g.Expect(appsGot).To(matchers.HaveCondition(meta.HealthyCondition, metav1.ConditionTrue).ForCurrentGeneration())
	g.Expect(managers(appsGot)).To(ContainElement(applier.DefaultFieldManager))
	g.Expect(inventoryIDs(appsGot)).To(ConsistOf(
		"_"+apps+"__Namespace",
		apps+"_settings__ConfigMap",
		apps+"_features__ConfigMap",
		apps+"_web__Service",
	))
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: apps}}
	get(g, nsObj)
	g.Expect(getConfigMap(g, apps, "settings").Data).To(Equal(map[string]string{"color": "blue"}))
	g.Expect(getConfigMap(g, apps, "features").Data).To(Equal(map[string]string{"beta": "off"}))
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: apps, Name: "web"}}
	get(g, svc)
	g.Expect(svc.Spec.Ports).To(HaveLen(1))
	g.Expect(svc.Spec.ClusterIP).NotTo(BeEmpty())
	g.Expect(getConfigMap(g, ns, "cluster-info").Data).To(HaveKeyWithValue("name", "dev"))

	// A new commit changes a value, adds a ConfigMap and removes another:
	// it lands, and what left Git is pruned.
	second := w.commitChange(t, "blue to green, beta goes, limits come", map[string]string{
		"apps/config.yaml": configMap(apps, "settings", map[string]string{"color": "green"}) + "---\n" +
			configMap(apps, "limits", map[string]string{"rps": "100"}),
	}, nil)
	g.Expect(second).NotTo(Equal(first))
	secondRev := "main@sha1:" + second
	eventuallyArtifact(t, source, secondRev)
	eventuallyApplied(t, fleet, secondRev)
	appsGot = eventuallyApplied(t, appsSync, secondRev)
	g.Expect(getConfigMap(g, apps, "settings").Data).To(Equal(map[string]string{"color": "green"}))
	g.Expect(getConfigMap(g, apps, "limits").Data).To(Equal(map[string]string{"rps": "100"}))
	err = c.Get(ctx, client.ObjectKey{Namespace: apps, Name: "features"}, &corev1.ConfigMap{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "features was not pruned: %v", err)
	g.Expect(inventoryIDs(appsGot)).To(ConsistOf(
		"_"+apps+"__Namespace",
		apps+"_settings__ConfigMap",
		apps+"_limits__ConfigMap",
		apps+"_web__Service",
	))

	// The deploy key is read-only: Gitea refuses a push with it.
	auth, err := git.NewAuthOptions(sshURL, map[string][]byte{git.KeyIdentity: identity, git.KeyKnownHosts: srv.KnownHosts()})
	g.Expect(err).NotTo(HaveOccurred())
	ro, err := gogit.NewClient(filepath.Join(t.TempDir(), "ro"), auth)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = ro.Clone(ctx, sshURL, git.CloneOptions{Reference: git.CheckoutReference{Branch: "main"}, FullHistory: true})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = ro.Commit(ctx, git.CommitOptions{Message: "not allowed\n", Author: author(), Files: map[string][]byte{"x.txt": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())
	// The refusal is classified, and carries Gitea's reason.
	err = ro.Push(ctx, git.PushOptions{})
	g.Expect(err).To(MatchError(git.ErrAuthenticationFailed))
	g.Expect(err.Error()).To(ContainSubstring("is not authorized to write"))

	// A key Gitea does not know is refused: the artifact above came
	// through the deploy key.
	stranger, _ := deployKey(t)
	g.Expect(c.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "stranger-key"},
		Data:       map[string][]byte{git.KeyIdentity: stranger, git.KeyKnownHosts: srv.KnownHosts()},
	})).To(Succeed())
	strangerRepo := newGitRepository(ns, "stranger", sshURL, func(r *sourcev1.GitRepository) {
		r.Spec.SecretRef = &meta.LocalObjectReference{Name: "stranger-key"}
	})
	g.Expect(c.Create(ctx, strangerRepo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		get(g, strangerRepo)
		g.Expect(strangerRepo).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
			WithReason(meta.AuthenticationFailedReason).ForCurrentGeneration())
		g.Expect(strangerRepo.Status.Artifact).To(BeNil())
		g.Expect(conditions.CheckKstatus(strangerRepo)).To(Succeed())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}

// deployKey returns a new ed25519 key as an OpenSSH private key and an
// authorized_keys line.
func deployKey(t *testing.T) (private, public []byte) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "sluice-e2e")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), append(bytes.TrimSpace(ssh.MarshalAuthorizedKey(sshPub)), " sluice-e2e"...)
}

// giteaWriter pushes commits to a Gitea repository as its administrator,
// over HTTP with basic auth.
type giteaWriter struct {
	client *gogit.Client
}

func newGiteaWriter(t *testing.T, srv *gitea.Server, owner, name string) *giteaWriter {
	t.Helper()
	g := NewWithT(t)
	u := srv.HTTPCloneURL(owner, name)
	auth, err := git.NewAuthOptions(u, map[string][]byte{git.KeyUsername: []byte(srv.Username()), git.KeyPassword: []byte(srv.Password())})
	g.Expect(err).NotTo(HaveOccurred())
	auth.AllowInsecureHTTP = true
	wc, err := gogit.NewClient(filepath.Join(t.TempDir(), name), auth)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = wc.Clone(t.Context(), u, git.CloneOptions{Reference: git.CheckoutReference{Branch: "main"}, FullHistory: true})
	g.Expect(err).NotTo(HaveOccurred())
	return &giteaWriter{client: wc}
}

// commit commits files and pushes, and returns the commit's hash.
func (w *giteaWriter) commit(t *testing.T, msg string, files map[string]string) string {
	t.Helper()
	return w.commitChange(t, msg, files, nil)
}

// commitChange commits files and the deletion of del, pushes, and returns
// the commit's hash.
func (w *giteaWriter) commitChange(t *testing.T, msg string, files map[string]string, del []string) string {
	t.Helper()
	g := NewWithT(t)
	data := make(map[string][]byte, len(files))
	for k, v := range files {
		data[k] = []byte(v)
	}
	commit, err := w.client.Commit(t.Context(), git.CommitOptions{Message: msg + "\n", Author: author(), Files: data, Delete: del})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(w.client.Push(t.Context(), git.PushOptions{})).To(Succeed())
	return commit.Hash.Hex
}

func author() git.Signature {
	return git.Signature{Name: "Sluice E2E", Email: "e2e@sluice.test", When: time.Now()}
}

// service returns the YAML of a ClusterIP Service.
func service(ns, name string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %s
  namespace: %s
spec:
  selector:
    app: %[1]s
  ports:
    - name: http
      port: 80
      targetPort: 8080
`, name, ns)
}

// clusterSync is clusters/dev/fleet.yaml: the GitRepository and the Sync
// that the bootstrap creates, so that they are managed from Git afterwards.
// The fields match what the test creates.
func clusterSync(ns, sshURL string) string {
	return fmt.Sprintf(`apiVersion: %[1]s
kind: GitRepository
metadata:
  name: fleet
  namespace: %[2]s
spec:
  url: %[3]s
  ref:
    branch: main
  secretRef:
    name: fleet-deploy-key
  interval: %[4]s
  timeout: 30s
---
apiVersion: %[5]s
kind: Sync
metadata:
  name: fleet
  namespace: %[2]s
spec:
  sourceRef:
    kind: GitRepository
    name: fleet
  path: ./clusters/dev
  interval: %[4]s
  retryInterval: 1s
  timeout: 30s
`, sourcev1.GroupVersion().String(), ns, sshURL, interval, applyv1.GroupVersion().String())
}

// appsSync is clusters/dev/apps.yaml: the Sync of ./apps, waiting for the
// applications' health. It names no namespace: the Sync of the cluster
// folder puts it in its own.
func appsSync() string {
	return fmt.Sprintf(`apiVersion: %s
kind: Sync
metadata:
  name: apps
spec:
  sourceRef:
    kind: GitRepository
    name: fleet
  path: ./apps
  interval: %s
  retryInterval: 1s
  timeout: 30s
  wait: true
`, applyv1.GroupVersion().String(), interval)
}

// inventoryIDs returns the IDs of the Sync's inventory.
func inventoryIDs(s *applyv1.Sync) []string {
	if s.Status.Inventory == nil {
		return nil
	}
	ids := make([]string, 0, len(s.Status.Inventory.Entries))
	for _, e := range s.Status.Inventory.Entries {
		ids = append(ids, e.ID)
	}
	return ids
}

// managers returns the field managers of obj.
func managers(obj client.Object) []string {
	var out []string
	for _, m := range obj.GetManagedFields() {
		out = append(out, m.Manager)
	}
	return out
}
