package impersonation_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/impersonation"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

// tenant creates a namespace with a service account sa allowed to create
// ConfigMaps there, and returns the namespace.
func tenant(t *testing.T, prefix, sa string) string {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	ns, err := env.CreateNamespace(ctx, prefix)
	g.Expect(err).NotTo(HaveOccurred())
	c := env.Client()
	objs := []client.Object{
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa}},
		&rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "configmap-writer"},
			Rules: []rbacv1.PolicyRule{{
				APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create", "get"},
			}},
		},
		&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "configmap-writer"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "configmap-writer"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: sa}},
		},
	}
	for _, o := range objs {
		g.Expect(c.Create(ctx, o)).To(Succeed())
	}
	t.Cleanup(func() {
		_ = env.DeleteAndWait(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	})
	return ns
}

// kubeConfigRef is the API's reference to key of Secret name.
func kubeConfigRef(name, key string) *meta.KubeConfigReference {
	return &meta.KubeConfigReference{SecretRef: meta.SecretKeyReference{Name: name, Key: key}}
}

func configMap(ns, name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func TestServiceAccountImpersonation(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := tenant(t, "imp", "deployer")
	other := tenant(t, "imp-other", "deployer")

	imp := impersonation.New(env.Config(), env.Client())
	c, err := imp.Client(ctx, ns, impersonation.ClientOptions{ServiceAccountName: "deployer"})
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(c.Create(ctx, configMap(ns, "allowed"))).To(Succeed())
	// Its own namespace's RoleBinding does not reach another namespace.
	g.Expect(c.Create(ctx, configMap(other, "denied"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
	// Nor another verb.
	g.Expect(c.Delete(ctx, configMap(ns, "allowed"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))

	// A service account without a binding may do nothing.
	c, err = imp.Client(ctx, ns, impersonation.ClientOptions{ServiceAccountName: "nobody"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, configMap(ns, "nobody"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
}

func TestConfigImpersonates(t *testing.T) {
	g := NewWithT(t)
	imp := impersonation.New(env.Config(), env.Client())
	cfg, err := imp.Config(t.Context(), "team-a", impersonation.ClientOptions{ServiceAccountName: "deployer"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Impersonate.UserName).To(Equal("system:serviceaccount:team-a:deployer"))
	g.Expect(cfg.Impersonate.Groups).To(ConsistOf("system:serviceaccounts", "system:serviceaccounts:team-a"))
	g.Expect(env.Config().Impersonate.UserName).To(BeEmpty(), "the controller's config is not changed")
}

func TestDefaultServiceAccount(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := tenant(t, "imp-default", "tenant-default")
	imp := impersonation.New(env.Config(), env.Client(), impersonation.WithDefaultServiceAccount("tenant-default"))

	c, err := imp.Client(ctx, ns, impersonation.ClientOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, configMap(ns, "by-default"))).To(Succeed())
	// The default account is as confined as any other: no admin fallback.
	g.Expect(c.Create(ctx, configMap("default", "by-default"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))

	// A named account wins over the default.
	c, err = imp.Client(ctx, ns, impersonation.ClientOptions{ServiceAccountName: "nobody"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, configMap(ns, "named"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
}

func TestNoServiceAccount(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := tenant(t, "imp-none", "deployer")

	// Without a default, the controller's own identity is used.
	c, err := impersonation.New(env.Config(), env.Client()).Client(ctx, ns, impersonation.ClientOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, configMap("default", "controller-"+ns))).To(Succeed())
	t.Cleanup(func() { _ = env.Client().Delete(context.Background(), configMap("default", "controller-"+ns)) })

	// Unless a service account is required.
	_, err = impersonation.New(env.Config(), env.Client(), impersonation.WithRequireServiceAccount()).
		Client(ctx, ns, impersonation.ClientOptions{})
	g.Expect(err).To(MatchError(impersonation.ErrServiceAccountRequired))

	// A default satisfies the requirement.
	_, err = impersonation.New(env.Config(), env.Client(), impersonation.WithRequireServiceAccount(),
		impersonation.WithDefaultServiceAccount("deployer")).Client(ctx, ns, impersonation.ClientOptions{})
	g.Expect(err).NotTo(HaveOccurred())
}

func TestInvalidServiceAccountName(t *testing.T) {
	g := NewWithT(t)
	_, err := impersonation.New(env.Config(), env.Client()).
		Config(t.Context(), "team-a", impersonation.ClientOptions{ServiceAccountName: "a:b"})
	g.Expect(err).To(MatchError(impersonation.ErrInvalidServiceAccountName))
}

// kubeConfig builds a kubeconfig for the test API server with the admin
// client certificate envtest issued; edit may change it before it is
// serialized.
func kubeConfig(t *testing.T, edit func(*clientcmdapi.Config)) []byte {
	t.Helper()
	data, err := env.KubeConfig()
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	cfg, err := clientcmd.Load(data)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	if edit != nil {
		edit(cfg)
	}
	data, err = clientcmd.Write(*cfg)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return data
}

func TestKubeConfigSecret(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := tenant(t, "imp-kubeconfig", "deployer")
	const token = "s3cr3t-t0ken-value"

	secrets := map[string]map[string][]byte{
		"admin":  {"value": kubeConfig(t, nil)},
		"custom": {"remote.yaml": kubeConfig(t, nil)},
		"exec": {"value": kubeConfig(t, func(c *clientcmdapi.Config) {
			c.AuthInfos["testenv"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
				APIVersion: "client.authentication.k8s.io/v1", Command: "/bin/steal-credentials", Args: []string{token},
				InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
			}}
		})},
		"auth-provider": {"value": kubeConfig(t, func(c *clientcmdapi.Config) {
			c.AuthInfos["testenv"] = &clientcmdapi.AuthInfo{AuthProvider: &clientcmdapi.AuthProviderConfig{
				Name: "oidc", Config: map[string]string{"id-token": token},
			}}
		})},
		"token-file": {"value": kubeConfig(t, func(c *clientcmdapi.Config) {
			c.AuthInfos["testenv"] = &clientcmdapi.AuthInfo{TokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token"}
		})},
		"ca-file": {"value": kubeConfig(t, func(c *clientcmdapi.Config) {
			c.Clusters["testenv"].CertificateAuthorityData = nil
			c.Clusters["testenv"].CertificateAuthority = "/etc/ssl/ca.pem"
		})},
		"garbage":    {"value": []byte("apiVersion: v1\nkind: Config\nusers: [" + token)},
		"no-context": {"value": kubeConfig(t, func(c *clientcmdapi.Config) { c.CurrentContext = "" })},
	}
	for name, data := range secrets {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
		g.Expect(env.Client().Create(ctx, s)).To(Succeed())
	}

	imp := impersonation.New(env.Config(), env.Client())

	t.Run("admin kubeconfig reads", func(t *testing.T) {
		g := NewWithT(t)
		c, err := imp.Client(ctx, ns, impersonation.ClientOptions{KubeConfig: kubeConfigRef("admin", "value")})
		g.Expect(err).NotTo(HaveOccurred())
		var sa corev1.ServiceAccount
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "deployer"}, &sa)).To(Succeed())
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "missing"}, &sa)).To(matchers.BeNotFound())
	})

	t.Run("custom key", func(t *testing.T) {
		g := NewWithT(t)
		// The reference as an object's spec carries it on the wire.
		var ref meta.KubeConfigReference
		g.Expect(json.Unmarshal([]byte(`{"secretRef":{"name":"custom","key":"remote.yaml"}}`), &ref)).To(Succeed())
		c, err := imp.Client(ctx, ns, impersonation.ClientOptions{KubeConfig: &ref})
		g.Expect(err).NotTo(HaveOccurred())
		var sa corev1.ServiceAccount
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "deployer"}, &sa)).To(Succeed())
	})

	t.Run("service account over kubeconfig", func(t *testing.T) {
		g := NewWithT(t)
		c, err := imp.Client(ctx, ns, impersonation.ClientOptions{
			ServiceAccountName: "deployer",
			KubeConfig:         kubeConfigRef("admin", "value"),
		})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(c.Create(ctx, configMap(ns, "remote"))).To(Succeed())
		g.Expect(c.Create(ctx, configMap("default", "remote"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
	})

	t.Run("default service account not applied to kubeconfig", func(t *testing.T) {
		g := NewWithT(t)
		cfg, err := impersonation.New(env.Config(), env.Client(), impersonation.WithDefaultServiceAccount("deployer")).
			Config(ctx, ns, impersonation.ClientOptions{KubeConfig: kubeConfigRef("admin", "value")})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(cfg.Impersonate.UserName).To(BeEmpty())
	})

	refused := []struct {
		secret, key string
		want        error
	}{
		{"exec", "value", impersonation.ErrExecPluginNotAllowed},
		{"auth-provider", "value", impersonation.ErrAuthProviderNotAllowed},
		{"token-file", "value", impersonation.ErrFileReferenceNotAllowed},
		{"ca-file", "value", impersonation.ErrFileReferenceNotAllowed},
		{"garbage", "value", impersonation.ErrInvalidKubeConfig},
		{"no-context", "value", impersonation.ErrInvalidKubeConfig},
		{"admin", "missing", impersonation.ErrKeyNotFound},
		// The API requires a key: there is no default, not even for a
		// Secret that has the conventional "value" key.
		{"admin", "", impersonation.ErrInvalidKubeConfigReference},
		{"", "value", impersonation.ErrInvalidKubeConfigReference},
	}
	for _, tc := range refused {
		t.Run("refuse "+tc.secret+"/"+tc.key, func(t *testing.T) {
			g := NewWithT(t)
			_, err := imp.Client(ctx, ns, impersonation.ClientOptions{KubeConfig: kubeConfigRef(tc.secret, tc.key)})
			g.Expect(err).To(MatchError(tc.want))
			var kerr *impersonation.KubeConfigError
			g.Expect(errors.As(err, &kerr)).To(BeTrue())
			g.Expect(kerr.Secret).To(Equal(ns + "/" + tc.secret))
			g.Expect(err.Error()).NotTo(ContainSubstring(token))
			g.Expect(err.Error()).NotTo(ContainSubstring("steal-credentials"))
		})
	}

	t.Run("exec allowed when asked", func(t *testing.T) {
		g := NewWithT(t)
		// Building the config does not run the plugin; only a request would.
		cfg, err := impersonation.New(env.Config(), env.Client(), impersonation.WithAllowExecPlugins()).
			Config(ctx, ns, impersonation.ClientOptions{KubeConfig: kubeConfigRef("exec", "value")})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(cfg.ExecProvider).NotTo(BeNil())
		g.Expect(cfg.ExecProvider.Command).To(Equal("/bin/steal-credentials"))
	})

	t.Run("missing secret", func(t *testing.T) {
		g := NewWithT(t)
		_, err := imp.Client(ctx, ns, impersonation.ClientOptions{KubeConfig: kubeConfigRef("nope", "value")})
		g.Expect(err).To(matchers.BeNotFound())
		var kerr *impersonation.KubeConfigError
		g.Expect(errors.As(err, &kerr)).To(BeTrue())
		g.Expect(kerr.Key).To(Equal("value"))
	})
}

func TestSharedSchemeAndMapper(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := tenant(t, "imp-shared", "deployer")
	imp := impersonation.New(env.Config(), env.Client(),
		impersonation.WithScheme(env.Scheme()), impersonation.WithRESTMapper(env.Client().RESTMapper()))
	c, err := imp.Client(ctx, ns, impersonation.ClientOptions{ServiceAccountName: "deployer"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Scheme()).To(BeIdenticalTo(env.Scheme()))
	g.Expect(c.RESTMapper()).To(BeIdenticalTo(env.Client().RESTMapper()))
	g.Expect(c.Create(ctx, configMap(ns, "shared"))).To(Succeed())
	g.Expect(c.Create(ctx, configMap("default", "shared"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
}

func TestDefaultSchemeIsPrivate(t *testing.T) {
	g := NewWithT(t)
	ctx := t.Context()
	ns := tenant(t, "imp-scheme", "deployer")
	opts := impersonation.ClientOptions{ServiceAccountName: "deployer"}

	imp := impersonation.New(env.Config(), env.Client())
	c1, err := imp.Client(ctx, ns, opts)
	g.Expect(err).NotTo(HaveOccurred())
	c2, err := imp.Client(ctx, ns, opts)
	g.Expect(err).NotTo(HaveOccurred())
	// Not client-go's global scheme, but one per Impersonator, shared by
	// its clients.
	g.Expect(c1.Scheme()).NotTo(BeIdenticalTo(clientgoscheme.Scheme))
	g.Expect(c2.Scheme()).To(BeIdenticalTo(c1.Scheme()))
	// WithScheme(nil) means the default too.
	c3, err := impersonation.New(env.Config(), env.Client(), impersonation.WithScheme(nil)).Client(ctx, ns, opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c3.Scheme()).NotTo(BeIdenticalTo(c1.Scheme()))
	g.Expect(c3.Scheme()).NotTo(BeIdenticalTo(clientgoscheme.Scheme))

	// The private scheme knows the built-in types, typed and listed.
	g.Expect(c1.Create(ctx, configMap(ns, "private-scheme"))).To(Succeed())
	var got corev1.ConfigMap
	g.Expect(c1.Get(ctx, client.ObjectKey{Namespace: ns, Name: "private-scheme"}, &got)).To(Succeed())
	g.Expect(got.UID).NotTo(BeEmpty())
	g.Expect(c3.Create(ctx, configMap(ns, "private-scheme-2"))).To(Succeed())
	g.Expect(c1.Create(ctx, configMap("default", "private-scheme"))).To(matchers.HaveStatusReason(metav1.StatusReasonForbidden))
}
