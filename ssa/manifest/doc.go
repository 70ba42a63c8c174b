// Package manifest reads Kubernetes manifests, multi-document YAML and JSON
// streams, files and folders, into unstructured objects, and orders them for
// apply.
//
// The one call a newcomer needs:
//
//	objs, err := manifest.ReadDir("deploy/")
//	manifest.Sort(objs) // CRDs and Namespaces first, webhooks last
//
// Empty documents and documents holding only comments are skipped; a v1
// List is expanded into its items. Every object must have apiVersion, kind
// and metadata.name, and no two objects may share an identity (group,
// kind, namespace and name).
//
// # Apply order
//
// [Rank] gives every kind its place in apply order and [Sort] orders a set
// by it, keeping the input order among objects of equal rank. Deleting in
// reverse order (highest rank first) undoes an apply safely. The order is:
//
//  1. CustomResourceDefinition (apiextensions.k8s.io)
//  2. Namespace
//  3. ResourceQuota, LimitRange
//  4. every kind whose name ends in "Class", in any group (StorageClass,
//     IngressClass, PriorityClass, RuntimeClass, GatewayClass, ...)
//  5. ClusterRole, ClusterRoleBinding (rbac.authorization.k8s.io)
//  6. ServiceAccount, Role, RoleBinding
//  7. Secret, ConfigMap
//  8. PersistentVolume, PersistentVolumeClaim
//  9. Service
//  10. workloads: Pod, ReplicationController, ReplicaSet, Deployment,
//     StatefulSet, DaemonSet, Job, CronJob
//  11. Ingress, NetworkPolicy, HorizontalPodAutoscaler,
//     PodDisruptionBudget
//  12. every other kind, custom resources included
//  13. APIService (apiregistration.k8s.io)
//  14. MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
//     ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
//     MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding
//     (admissionregistration.k8s.io), last, so that an admission hook
//     whose backend is not yet running cannot block the rest of the set.
//
// # Errors
//
// Read, ReadFile, ReadFS and ReadDir return a [*DocumentError] naming the
// source, the document's 1-based index and the line, wrapping
// [ErrMalformed] (syntax errors, a document that is not an object, fields
// of the wrong type), [ErrMissingField] (no apiVersion, kind or
// metadata.name) or [ErrDuplicate] (a second object with the same
// identity). Failures to open or read a file are returned wrapped as they
// come from the file system.
//
// # Concurrency
//
// Every function is safe for concurrent use; none keeps state.
package manifest
