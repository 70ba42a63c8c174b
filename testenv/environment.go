package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// pollInterval is how often DeleteAndWait looks for deleted objects.
const pollInterval = 100 * time.Millisecond

// Environment is a running kube-apiserver and etcd, with clients for them
// and optionally a started controller-runtime manager.
//
// It is safe for concurrent use. Stop it when done; [RunMain] does that for
// a test package.
type Environment struct {
	te     *envtest.Environment
	cfg    *rest.Config
	scheme *runtime.Scheme
	client client.Client

	mgr       manager.Manager
	mgrCancel context.CancelFunc
	mgrDone   chan error

	stopOnce sync.Once
	stopErr  error
}

// DefaultScheme returns a new scheme with client-go's built-in types and
// the apiextensions v1 types.
func DefaultScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	// Both only register static type tables; they fail only on a
	// programming error in those packages, which the tests would show.
	_ = clientgoscheme.AddToScheme(s)
	_ = apiextensionsv1.AddToScheme(s)
	return s
}

// Start provisions the control-plane binaries with [Assets], starts etcd
// and kube-apiserver on free local ports, installs the configured CRDs and,
// with [WithManager], starts a manager.
//
// ctx bounds provisioning (which may build the binaries on the first run),
// CRD installation and the manager's lifetime; the start of the processes
// themselves is bounded by [WithStartTimeout]. Start returns the errors of
// [Assets], and wrapped envtest errors when the control plane does not come
// up or a CRD path is missing.
func Start(ctx context.Context, opts ...Option) (*Environment, error) {
	o := newOptions(opts)
	dir, err := Assets(ctx, o.assets)
	if err != nil {
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	scheme := o.scheme
	if scheme == nil {
		scheme = DefaultScheme()
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, src := range o.crdFS {
		c, err := ReadCRDs(src.fsys, src.paths...)
		if err != nil {
			return nil, fmt.Errorf("start control plane: %w", err)
		}
		crds = append(crds, c...)
	}

	useExisting := false
	te := &envtest.Environment{
		BinaryAssetsDirectory:    dir,
		Scheme:                   scheme,
		CRDDirectoryPaths:        o.crdPaths,
		CRDs:                     crds,
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: o.startTimeout,
		ControlPlaneStopTimeout:  o.stopTimeout,
		UseExistingCluster:       &useExisting,
	}
	// Set the paths ourselves: envtest would otherwise prefer
	// KUBEBUILDER_ASSETS even when AssetsOptions.IgnoreEnv asks not to.
	api := te.ControlPlane.GetAPIServer()
	api.Path = filepath.Join(dir, kubeAPIServerBinary)
	te.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(dir, etcdBinary)}
	for name, value := range o.apiFlags {
		api.Configure().Set(name, value)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	cfg, err := te.Start()
	if err != nil {
		// Start may fail after launching etcd; do not leave it running.
		_ = te.Stop()
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	e := &Environment{te: te, cfg: cfg, scheme: scheme}
	if e.client, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		_ = e.Stop()
		return nil, fmt.Errorf("start control plane: client: %w", err)
	}
	if o.manager != nil {
		if err := e.startManager(ctx, *o.manager); err != nil {
			_ = e.Stop()
			return nil, err
		}
	}
	return e, nil
}

func (e *Environment) startManager(ctx context.Context, mo manager.Options) error {
	if mo.Scheme == nil {
		mo.Scheme = e.scheme
	}
	if mo.Metrics.BindAddress == "" {
		mo.Metrics = metricsserver.Options{BindAddress: "0"}
	}
	mgr, err := manager.New(e.cfg, mo)
	if err != nil {
		return fmt.Errorf("start control plane: manager: %w", err)
	}
	mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		cancel()
		mgrErr := <-done
		return fmt.Errorf("start control plane: manager cache did not sync: %w", errors.Join(context.Cause(ctx), mgrErr))
	}
	e.mgr, e.mgrCancel, e.mgrDone = mgr, cancel, done
	return nil
}

// Config returns a copy of the admin rest.Config for the API server.
func (e *Environment) Config() *rest.Config { return rest.CopyConfig(e.cfg) }

// KubeConfig returns a kubeconfig for the admin user of the API server, with
// one cluster, user and context named "testenv", for tools and processes
// that take a kubeconfig file or Secret rather than a rest.Config. It holds
// the client key: write it with mode 0600.
func (e *Environment) KubeConfig() ([]byte, error) {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["testenv"] = &clientcmdapi.Cluster{Server: e.cfg.Host, CertificateAuthorityData: e.cfg.CAData}
	kc.AuthInfos["testenv"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: e.cfg.CertData, ClientKeyData: e.cfg.KeyData, Token: e.cfg.BearerToken,
	}
	kc.Contexts["testenv"] = &clientcmdapi.Context{Cluster: "testenv", AuthInfo: "testenv"}
	kc.CurrentContext = "testenv"
	data, err := clientcmd.Write(*kc)
	if err != nil {
		return nil, fmt.Errorf("write kubeconfig: %w", err)
	}
	return data, nil
}

// Scheme returns the scheme of [Environment.Client].
func (e *Environment) Scheme() *runtime.Scheme { return e.scheme }

// Client returns an uncached client with admin rights, for the environment's
// scheme.
func (e *Environment) Client() client.Client { return e.client }

// NewClient returns an uncached admin client for another scheme.
func (e *Environment) NewClient(scheme *runtime.Scheme) (client.Client, error) {
	c, err := client.New(e.Config(), client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	return c, nil
}

// Manager returns the manager started with [WithManager], or nil.
func (e *Environment) Manager() manager.Manager { return e.mgr }

// InstallCRDs installs the CRDs found under paths of fsys (all of it when
// no path is given) and waits until the API server serves them.
func (e *Environment) InstallCRDs(ctx context.Context, fsys fs.FS, paths ...string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	crds, err := ReadCRDs(fsys, paths...)
	if err != nil {
		return nil, fmt.Errorf("install CRDs: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("install CRDs: %w", err)
	}
	installed, err := envtest.InstallCRDs(e.cfg, envtest.CRDInstallOptions{Scheme: e.scheme, CRDs: crds})
	if err != nil {
		return nil, fmt.Errorf("install CRDs: %w", err)
	}
	return installed, nil
}

// CreateNamespace creates a namespace with a generated name that starts
// with prefix, and returns the name.
func (e *Environment) CreateNamespace(ctx context.Context, prefix string) (string, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	if err := e.client.Create(ctx, ns); err != nil {
		return "", fmt.Errorf("create namespace %s-*: %w", prefix, err)
	}
	return ns.Name, nil
}

// DeleteAndWait deletes objs (absent ones are fine) and waits until the API
// server no longer returns them, polling every 100ms until ctx is done.
//
// Only kube-apiserver and etcd run: no garbage collector deletes dependents
// and no namespace controller empties namespaces. A Namespace therefore
// counts as gone once it is Terminating; give each test its own namespace
// instead of waiting for one to disappear.
func (e *Environment) DeleteAndWait(ctx context.Context, objs ...client.Object) error {
	for _, obj := range objs {
		err := e.client.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground))
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete %s: %w", describe(obj), err)
		}
	}
	for _, obj := range objs {
		if err := e.waitGone(ctx, obj); err != nil {
			return err
		}
	}
	return nil
}

func (e *Environment) waitGone(ctx context.Context, obj client.Object) error {
	key := client.ObjectKeyFromObject(obj)
	probe, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return fmt.Errorf("wait for %s: cannot copy object", describe(obj))
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		err := e.client.Get(ctx, key, probe)
		switch {
		case apierrors.IsNotFound(err):
			return nil
		case err == nil:
			if ns, isNS := probe.(*corev1.Namespace); isNS && ns.Status.Phase == corev1.NamespaceTerminating {
				return nil
			}
		case ctx.Err() == nil:
			return fmt.Errorf("wait for deletion of %s: %w", describe(obj), err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for deletion of %s: %w", describe(obj), context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// Stop stops the manager, then kube-apiserver and etcd. It is idempotent
// and returns the first error met.
func (e *Environment) Stop() error {
	e.stopOnce.Do(func() {
		var errs []error
		if e.mgr != nil {
			e.mgrCancel()
			if err := <-e.mgrDone; err != nil && !errors.Is(err, context.Canceled) {
				errs = append(errs, fmt.Errorf("manager: %w", err))
			}
		}
		if err := e.te.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("control plane: %w", err))
		}
		if len(errs) > 0 {
			e.stopErr = fmt.Errorf("stop: %w", errors.Join(errs...))
		}
	})
	return e.stopErr
}

// ReadCRDs reads the CustomResourceDefinitions in the YAML or JSON files
// found under paths of fsys (all of fsys when no path is given). Files may
// hold several documents; documents of other kinds are skipped. It returns
// an error for a missing path or a malformed document, and when it finds no
// CRD at all.
func ReadCRDs(fsys fs.FS, paths ...string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, root := range paths {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch path.Ext(p) {
			case ".yaml", ".yml", ".json":
			default:
				return nil
			}
			if d.IsDir() {
				return nil
			}
			found, err := readCRDFile(fsys, p)
			if err != nil {
				return err
			}
			crds = append(crds, found...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read CRDs: %w", err)
		}
	}
	if len(crds) == 0 {
		return nil, fmt.Errorf("read CRDs from %s: no CustomResourceDefinition found", strings.Join(paths, ", "))
	}
	return crds, nil
}

func readCRDFile(fsys fs.FS, name string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	var crds []*apiextensionsv1.CustomResourceDefinition
	for i := 0; ; i++ {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := dec.Decode(&crd); err != nil {
			if errors.Is(err, io.EOF) {
				return crds, nil
			}
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue
		}
		crds = append(crds, &crd)
	}
}

func describe(obj client.Object) string {
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if kind == "" {
		kind = fmt.Sprintf("%T", obj)
	}
	if ns := obj.GetNamespace(); ns != "" {
		return kind + " " + ns + "/" + obj.GetName()
	}
	return kind + " " + obj.GetName()
}
