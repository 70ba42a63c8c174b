package flags

import (
	"github.com/spf13/pflag"

	"github.com/sluice-dev/sluice/runtime/acl"
	"github.com/sluice-dev/sluice/runtime/impersonation"
)

// AccessOptions is the multi-tenancy lockdown: whose identity tenants' objects
// act with, and whether they may refer across namespaces.
type AccessOptions struct {
	// DefaultServiceAccount is impersonated for objects that name no
	// service account. Default empty: they act as the controller.
	DefaultServiceAccount string
	// NoCrossNamespaceRefs denies every cross-namespace reference. Default
	// false: the target's AccessFrom decides.
	NoCrossNamespaceRefs bool
}

// BindFlags registers --default-service-account and
// --no-cross-namespace-refs on fs and sets the defaults.
func (o *AccessOptions) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DefaultServiceAccount, "default-service-account", "", "service account impersonated for objects that name none (empty: the controller's own)")
	fs.BoolVar(&o.NoCrossNamespaceRefs, "no-cross-namespace-refs", false, "deny references to objects in other namespaces")
}

// AuthorizerOptions returns the options of acl.New.
func (o AccessOptions) AuthorizerOptions() []acl.Option {
	if o.NoCrossNamespaceRefs {
		return []acl.Option{acl.WithNoCrossNamespaceRefs()}
	}
	return nil
}

// ImpersonationOptions returns the options of impersonation.New.
func (o AccessOptions) ImpersonationOptions() []impersonation.Option {
	if o.DefaultServiceAccount != "" {
		return []impersonation.Option{impersonation.WithDefaultServiceAccount(o.DefaultServiceAccount)}
	}
	return nil
}
