package impersonation

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultKubeConfigKey is the Secret data key read when a [KubeConfigRef]
// names none.
const DefaultKubeConfigKey = "value"

// KubeConfigRef names a Secret, in the object's namespace, holding a
// kubeconfig.
type KubeConfigRef struct {
	// Name of the Secret.
	Name string
	// Key of the kubeconfig in the Secret's data. Default:
	// [DefaultKubeConfigKey].
	Key string
}

// ClientOptions says whose identity a client carries. The zero value means
// the default service account, if any, else the controller's identity.
type ClientOptions struct {
	// ServiceAccountName is the service account to impersonate in the
	// object's namespace. Default: the one of [WithDefaultServiceAccount],
	// for local clients only.
	ServiceAccountName string

	// KubeConfig, when set, builds the client from a kubeconfig Secret
	// instead of the controller's config, typically for a remote cluster.
	// ServiceAccountName, when set, is then impersonated on top of the
	// kubeconfig's identity. Default: nil.
	KubeConfig *KubeConfigRef
}

// Impersonator builds clients that act for a tenant. Build it with [New].
type Impersonator struct {
	cfg    *rest.Config
	reader client.Reader
	o      options
}

// New returns an Impersonator that builds on cfg, the controller's own
// config (copied, never changed), and reads kubeconfig Secrets with reader,
// which should be uncached (a manager's APIReader) so that the controller
// need not watch every Secret.
func New(cfg *rest.Config, reader client.Reader, opts ...Option) *Impersonator {
	return &Impersonator{cfg: rest.CopyConfig(cfg), reader: reader, o: newOptions(opts)}
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
	c, err := client.New(cfg, client.Options{Scheme: i.o.scheme, Mapper: i.o.mapper})
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

func (i *Impersonator) kubeConfig(ctx context.Context, namespace string, ref KubeConfigRef) (*rest.Config, error) {
	key := ref.Key
	if key == "" {
		key = DefaultKubeConfigKey
	}
	fail := func(err error) error {
		return &KubeConfigError{Secret: namespace + "/" + ref.Name, Key: key, Err: err}
	}
	var secret corev1.Secret
	if err := i.reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, &secret); err != nil {
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
