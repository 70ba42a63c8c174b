package manifest

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Ranks of the apply order documented in the package comment. Lower ranks
// apply first.
const (
	// RankCustomResourceDefinition is the rank of CustomResourceDefinitions,
	// the first kind applied.
	RankCustomResourceDefinition = 1
	// RankNamespace is the rank of Namespaces.
	RankNamespace = 2
	// RankClass is the rank of every kind whose name ends in "Class".
	RankClass = 4
	// RankClusterRole is the rank of ClusterRoles and ClusterRoleBindings.
	// Kinds of rank RankClusterRole or lower are the cluster-wide
	// definitions a staged apply applies before the rest of a set.
	RankClusterRole = 5
	// RankOther is the rank of every kind the order does not name, custom
	// resources included.
	RankOther = 12
	// RankAdmission is the rank of admission webhooks and policies, the
	// last kinds applied.
	RankAdmission = 14
)

const (
	groupCore          = ""
	groupApps          = "apps"
	groupBatch         = "batch"
	groupRBAC          = "rbac.authorization.k8s.io"
	groupAdmission     = "admissionregistration.k8s.io"
	groupNetworking    = "networking.k8s.io"
	groupAPIExtensions = "apiextensions.k8s.io"
)

// Rank returns gk's place in apply order, from RankCustomResourceDefinition
// to RankAdmission; kinds of equal rank have no order between them.
func Rank(gk schema.GroupKind) int {
	switch gk.Group {
	case groupAPIExtensions:
		if gk.Kind == "CustomResourceDefinition" {
			return RankCustomResourceDefinition
		}
	case groupCore:
		switch gk.Kind {
		case "Namespace":
			return RankNamespace
		case "ResourceQuota", "LimitRange":
			return 3
		case "ServiceAccount":
			return 6
		case "Secret", "ConfigMap":
			return 7
		case "PersistentVolume", "PersistentVolumeClaim":
			return 8
		case "Service":
			return 9
		case "Pod", "ReplicationController":
			return 10
		}
	case groupRBAC:
		switch gk.Kind {
		case "ClusterRole", "ClusterRoleBinding":
			return RankClusterRole
		case "Role", "RoleBinding":
			return 6
		}
	case groupApps:
		switch gk.Kind {
		case "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet":
			return 10
		}
	case groupBatch:
		switch gk.Kind {
		case "Job", "CronJob":
			return 10
		}
	case groupNetworking:
		switch gk.Kind {
		case "Ingress", "NetworkPolicy":
			return 11
		}
	case "autoscaling":
		if gk.Kind == "HorizontalPodAutoscaler" {
			return 11
		}
	case "policy":
		if gk.Kind == "PodDisruptionBudget" {
			return 11
		}
	case "apiregistration.k8s.io":
		if gk.Kind == "APIService" {
			return 13
		}
	case groupAdmission:
		switch gk.Kind {
		case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
			"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
			"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding":
			return RankAdmission
		}
	}
	if strings.HasSuffix(gk.Kind, "Class") {
		return RankClass
	}
	return RankOther
}

// Sort orders objs by the Rank of their kinds, in place, keeping the input
// order among objects of equal rank.
func Sort(objs []*unstructured.Unstructured) {
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int {
		return rankOf(a) - rankOf(b)
	})
}

func rankOf(obj *unstructured.Unstructured) int {
	return Rank(obj.GroupVersionKind().GroupKind())
}
