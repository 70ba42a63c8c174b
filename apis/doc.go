// Package apis is the root of Sluice's shared Kubernetes API types. It holds
// no code itself; the types live in sub-packages:
//
//   - meta: the kstatus-standard condition types and reasons, the
//     reconcile-request annotations, object and secret references,
//     Artifact with its RFC-0005 revision and digest, and the validation
//     patterns and marker guide every Sluice CRD follows.
//   - acl: cross-namespace access control lists.
//   - event: the event payload controllers post to a notification
//     receiver.
//
// The module depends on k8s.io/apimachinery and k8s.io/api only, and on no
// other Sluice module; see README.md for the marker guide and the shortest
// real use.
package apis
