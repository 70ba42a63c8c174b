package impersonation

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
)

// ClientOptions says whose identity a client carries. The zero value means
// the default service account, if any, else the controller's identity.
type ClientOptions struct {
	// ServiceAccountName is the service account to impersonate in the
	// object's namespace. Default: the one of [WithDefaultServiceAccount],
	// for local clients only.
	ServiceAccountName string

	// KubeConfig, when set, builds the client from a kubeconfig Secret in
	// the object's namespace instead of the controller's config, typically
	// for a remote cluster. It is the API type objects carry, so a
	// reconciler passes obj.Spec.KubeConfig as is. Its rules are the API's:
	// SecretRef.Name and SecretRef.Key are both required (there is no
	// default key), and an empty one is refused with
	// [ErrInvalidKubeConfigReference]. ServiceAccountName, when set, is then
	// impersonated on top of the kubeconfig's identity. Default: nil.
	KubeConfig *meta.KubeConfigReference
}

// Impersonator builds clients that act for a tenant. Build it with [New].
type Impersonator struct {
	cfg    *rest.Config
	reader client.Reader
	o      options
	// scheme returns the scheme of the clients built: the one of
	// [WithScheme], else a private one built once, on first use.
	scheme func() (*runtime.Scheme, error)
}

// New returns an Impersonator that builds on cfg, the controller's own
// config (copied, never changed), and reads kubeconfig Secrets with reader,
// which should be uncached (a manager's APIReader) so that the controller
// need not watch every Secret.
func New(cfg *rest.Config, reader client.Reader, opts ...Option) *Impersonator {
	o := newOptions(opts)
	scheme := func() (*runtime.Scheme, error) { return o.scheme, nil }
	if o.scheme == nil {
		// Not client-go's global scheme, which any package may change.
		scheme = sync.OnceValues(newDefaultScheme)
	}
	return &Impersonator{cfg: rest.CopyConfig(cfg), reader: reader, o: o, scheme: scheme}
}

// newDefaultScheme returns a new scheme that knows client-go's built-in
// types.
func newDefaultScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("build default scheme: %w", err)
	}
	return s, nil
}

// Config returns the rest.Config for an object in namespace, as
// [ClientOptions] say. ctx bounds the read of a kubeconfig Secret. See the
// package documentation for the errors.
func (i *Impersonator) Config(ctx context.Context, namespace string, opts ClientOptions) (*rest.Config, error) {
	if opts.KubeConfig != nil {
		cfg, err := i.kubeConfig(ctx, namespace, *opts.KubeConfig)
		if err != nil {
			return nil, err
		}
		if opts.ServiceAccountName == "" {
			return cfg, nil
		}
		return impersonate(cfg, namespace, opts.ServiceAccountName)
	}
	sa := opts.ServiceAccountName
	if sa == "" {
		sa = i.o.defaultServiceAccount
	}
	if sa == "" {
		if i.o.requireServiceAccount {
			return nil, fmt.Errorf("impersonate in namespace %q: %w", namespace, ErrServiceAccountRequired)
		}
		return rest.CopyConfig(i.cfg), nil
	}
	return impersonate(rest.CopyConfig(i.cfg), namespace, sa)
}

// Client returns a client for an object in namespace, as [ClientOptions]
// say; it returns the errors of [Impersonator.Config].
func (i *Impersonator) Client(ctx context.Context, namespace string, opts ClientOptions) (client.Client, error) {
	cfg, err := i.Config(ctx, namespace, opts)
	if err != nil {
		return nil, err
	}
	scheme, err := i.scheme()
	if err != nil {
		return nil, fmt.Errorf("build client for namespace %q: %w", namespace, err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme, Mapper: i.o.mapper})
	if err != nil {
		return nil, fmt.Errorf("build client for namespace %q: %w", namespace, err)
	}
	return c, nil
}

// impersonate sets cfg, which it owns, to act as the service account.
func impersonate(cfg *rest.Config, namespace, name string) (*rest.Config, error) {
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return nil, fmt.Errorf("impersonate service account %q in namespace %q: %w", name, namespace, ErrInvalidServiceAccountName)
	}
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + namespace + ":" + name,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace},
	}
	return cfg, nil
}

func (i *Impersonator) kubeConfig(ctx context.Context, namespace string, ref meta.KubeConfigReference) (*rest.Config, error) {
	name, key := ref.SecretRef.Name, ref.SecretRef.Key
	fail := func(err error) error {
		return &KubeConfigError{Secret: namespace + "/" + name, Key: key, Err: err}
	}
	switch {
	case name == "":
		return nil, fail(fmt.Errorf("%w: empty secret name", ErrInvalidKubeConfigReference))
	case key == "":
		return nil, fail(fmt.Errorf("%w: empty key", ErrInvalidKubeConfigReference))
	}
	var secret corev1.Secret
	if err := i.reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &secret); err != nil {
		return nil, fail(err)
	}
	data := secret.Data[key]
	if len(data) == 0 {
		return nil, fail(ErrKeyNotFound)
	}
	raw, err := clientcmd.Load(data)
	if err != nil {
		// The parser may quote the document; keep its content out of errors.
		return nil, fail(ErrInvalidKubeConfig)
	}
	if err := checkKubeConfig(raw, i.o.allowExecPlugins); err != nil {
		return nil, fail(err)
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*raw, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fail(fmt.Errorf("%w: %w", ErrInvalidKubeConfig, err))
	}
	return cfg, nil
}

// checkKubeConfig enforces the security defaults on every user and cluster
// entry, used or not.
func checkKubeConfig(raw *clientcmdapi.Config, allowPlugins bool) error {
	for name, user := range raw.AuthInfos {
		switch {
		case user.Exec != nil && !allowPlugins:
			return fmt.Errorf("user %q: %w", name, ErrExecPluginNotAllowed)
		case user.AuthProvider != nil && !allowPlugins:
			return fmt.Errorf("user %q: %w", name, ErrAuthProviderNotAllowed)
		case user.ClientCertificate != "" || user.ClientKey != "" || user.TokenFile != "":
			return fmt.Errorf("user %q: %w", name, ErrFileReferenceNotAllowed)
		}
	}
	for name, cluster := range raw.Clusters {
		if cluster.CertificateAuthority != "" {
			return fmt.Errorf("cluster %q: %w", name, ErrFileReferenceNotAllowed)
		}
	}
	return nil
}
