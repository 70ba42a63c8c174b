// Command image-controller is the example image automation controller: it
// scans image repositories for tags (ImageRepository), selects the latest
// by a policy (ImagePolicy), and rewrites the image references marked with
// setter comments in Git repositories, committing (signed when a key is
// given) and pushing (ImageUpdateAutomation).
//
// Usage:
//
//	go run ./examples/cmd/image-controller --kubeconfig ~/.kube/config
//
// Run it with --help for the flags.
package main

import (
	"context"
	"os"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"

	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/examples/internal/app"
	"github.com/sluice-dev/sluice/examples/internal/controller/image"
	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/aws"
	"github.com/sluice-dev/sluice/oci/auth/azure"
	"github.com/sluice-dev/sluice/oci/auth/gcp"
)

const name = "image-controller"

func main() {
	var (
		concurrent, maxTags int
		workDir             string
	)
	bind := func(fs *pflag.FlagSet) {
		fs.IntVar(&concurrent, "concurrent", 2, "number of objects of each kind reconciled at once")
		fs.IntVar(&maxTags, "max-tags", image.DefaultMaxTags, "most tags kept in memory per image repository")
		fs.StringVar(&workDir, "work-dir", "", "directory Git repositories are cloned in (default: the system's temporary directory)")
	}
	setup := func(_ context.Context, mgr ctrl.Manager, env app.Env) error {
		c, tags := mgr.GetClient(), image.NewTagStore()
		cloud, err := cloudKeychain()
		if err != nil {
			return err
		}
		for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{
			&image.ImageRepositoryReconciler{Client: c, Tags: tags, EventRecorder: env.Recorder,
				InsecureHTTP: env.Options.InsecureHTTP, MaxTags: maxTags, MaxConcurrentReconciles: concurrent,
				CloudKeychain: cloud},
			&image.ImagePolicyReconciler{Client: c, Tags: tags, EventRecorder: env.Recorder,
				Access: env.Options.Access, MaxConcurrentReconciles: concurrent},
			&image.ImageUpdateAutomationReconciler{Client: c, EventRecorder: env.Recorder, Access: env.Options.Access,
				InsecureHTTP: env.Options.InsecureHTTP, WorkDir: workDir, MaxConcurrentReconciles: concurrent},
		} {
			if err := r.SetupWithManager(mgr); err != nil {
				return err
			}
		}
		return nil
	}
	os.Exit(app.Main(name, []func(*runtime.Scheme) error{imagev1.AddToScheme, sourcev1.AddToScheme}, bind, setup))
}

// cloudKeychain logs in to ECR, ACR and Artifact Registry with the
// controller's own cloud identity (configured by each cloud's environment
// variables), for ImageRepositories with provider aws, azure or gcp.
func cloudKeychain() (*auth.CloudKeychain, error) {
	awsP, err := aws.NewProvider()
	if err != nil {
		return nil, err
	}
	azureP, err := azure.NewProvider()
	if err != nil {
		return nil, err
	}
	gcpP, err := gcp.NewProvider()
	if err != nil {
		return nil, err
	}
	cache, err := auth.NewCache()
	if err != nil {
		return nil, err
	}
	return auth.NewCloudKeychain([]auth.Provider{awsP, azureP, gcpP}, auth.WithCache(cache))
}
