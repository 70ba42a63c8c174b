package flags

import (
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// WatchOptions configures which objects the controller's cache watches.
type WatchOptions struct {
	// AllNamespaces watches every namespace; false watches only the
	// controller's own. Default true.
	AllNamespaces bool
	// LabelSelector, when set, watches only objects whose labels it
	// selects. Default empty: all objects.
	LabelSelector string
}

// BindFlags registers --watch-all-namespaces and --watch-label-selector on
// fs and sets the defaults.
func (o *WatchOptions) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.AllNamespaces, "watch-all-namespaces", true, "watch every namespace; false watches only the controller's namespace")
	fs.StringVar(&o.LabelSelector, "watch-label-selector", "", "watch only objects with these labels (a Kubernetes label selector)")
}

// CacheOptions returns the manager's cache options; namespace is the
// controller's own, watched alone when AllNamespaces is false. It returns
// an [*InvalidValueError] for an unparsable label selector or an empty
// namespace when one is needed.
func (o WatchOptions) CacheOptions(namespace string) (cache.Options, error) {
	var co cache.Options
	if !o.AllNamespaces {
		if namespace == "" {
			return co, &InvalidValueError{Flag: "watch-all-namespaces", Value: "false", Reason: "the controller's namespace is unknown"}
		}
		co.DefaultNamespaces = map[string]cache.Config{namespace: {}}
	}
	if o.LabelSelector != "" {
		sel, err := labels.Parse(o.LabelSelector)
		if err != nil {
			return co, &InvalidValueError{Flag: "watch-label-selector", Value: o.LabelSelector, Reason: err.Error()}
		}
		co.DefaultLabelSelector = sel
	}
	return co, nil
}
