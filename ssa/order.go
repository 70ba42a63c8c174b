package ssa

import (
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/sluice-dev/sluice/ssa/manifest"
)

// rankOf returns obj's rank in apply order (see [manifest.Rank]).
func rankOf(obj *unstructured.Unstructured) int {
	return manifest.Rank(obj.GroupVersionKind().GroupKind())
}

// IsDefinition reports whether obj belongs to the first apply stage:
// CustomResourceDefinitions, Namespaces, kinds whose name ends in "Class"
// (StorageClass, IngressClass, PriorityClass, ...), ClusterRoles and
// ClusterRoleBindings.
func IsDefinition(obj *unstructured.Unstructured) bool {
	switch rankOf(obj) {
	case manifest.RankCustomResourceDefinition, manifest.RankNamespace, manifest.RankClass, manifest.RankClusterRole:
		return true
	}
	return false
}

// SortByApplyOrder sorts objs, in place and stably, into the order
// [ResourceManager.ApplyAll] applies them; delete in the reverse order.
//
// The order is [manifest.Rank]'s: CustomResourceDefinitions, Namespaces,
// ResourceQuotas and LimitRanges, *Class kinds, ClusterRoles and
// ClusterRoleBindings; then ServiceAccounts, Roles and RoleBindings, Secrets
// and ConfigMaps, volumes, Services, workloads, their policies, every other
// kind (custom resources included), APIServices, and admission webhooks and
// policies last, so webhooks never block the objects they would serve.
// Objects of the same rank are ordered by kind, group, namespace and name.
// The definitions stage is the subset [IsDefinition] names.
func SortByApplyOrder(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		ra, rb := rankOf(a), rankOf(b)
		if ra != rb {
			return ra < rb
		}
		if a.GetKind() != b.GetKind() {
			return a.GetKind() < b.GetKind()
		}
		ga, gb := a.GroupVersionKind().Group, b.GroupVersionKind().Group
		if ga != gb {
			return ga < gb
		}
		if a.GetNamespace() != b.GetNamespace() {
			return a.GetNamespace() < b.GetNamespace()
		}
		return a.GetName() < b.GetName()
	})
}
