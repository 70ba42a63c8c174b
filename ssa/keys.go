package ssa

// Suffixes and values of the per-object annotations and labels the manager
// reads and writes. Each key is the owner's Group followed by the suffix,
// such as "sluice.example.com/reconcile". A setting may be given as an
// annotation or as a label; the annotation wins when both are present.
const (
	// ReconcileKeySuffix names the setting that excludes an object: with
	// the value [ReconcileDisabled] on the desired or the live object, the
	// manager leaves the object alone and reports it [Skipped].
	ReconcileKeySuffix = "/reconcile"
	// ReconcileDisabled is the value of the reconcile setting that
	// excludes an object.
	ReconcileDisabled = "disabled"

	// ApplyPolicyKeySuffix names the setting that chooses how an object is
	// applied. Only [IfNotPresent] is recognized; any other value means the
	// default: apply every time.
	ApplyPolicyKeySuffix = "/apply"
	// IfNotPresent is the apply policy that creates an object when it is
	// absent and never updates it afterwards ([Skipped]).
	IfNotPresent = "IfNotPresent"

	// ForceKeySuffix names the setting that lets the manager delete and
	// recreate an object whose change the apiserver rejects because it
	// touches an immutable field, as [ApplyOptions.Force] does for all.
	ForceKeySuffix = "/force"
	// ForceEnabled is the value of the force setting that allows a
	// recreate.
	ForceEnabled = "enabled"

	// HashAnnotationSuffix names the annotation in which the manager
	// records a digest of the configuration it last applied. It is written
	// by every apply and read to detect a no-op without a request.
	HashAnnotationSuffix = "/apply-hash"
)

// Kubectl's names, used by field-manager hygiene.
const (
	// LastAppliedAnnotation is the annotation kubectl's client-side apply
	// writes; the manager removes it.
	LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
	// KubectlClientSideApplyManager is the field manager of kubectl's
	// client-side apply.
	KubectlClientSideApplyManager = "kubectl-client-side-apply"
	// BeforeFirstApplyManager is the field manager the apiserver gives to
	// fields that existed before the first server-side apply of an object.
	BeforeFirstApplyManager = "before-first-apply"
)

// ReconcileKey returns the key of the exclusion setting, "<Group>/reconcile".
func (o Owner) ReconcileKey() string { return o.Group + ReconcileKeySuffix }

// ApplyPolicyKey returns the key of the apply-policy setting,
// "<Group>/apply".
func (o Owner) ApplyPolicyKey() string { return o.Group + ApplyPolicyKeySuffix }

// ForceKey returns the key of the recreate setting, "<Group>/force".
func (o Owner) ForceKey() string { return o.Group + ForceKeySuffix }

// HashAnnotation returns the key of the applied-configuration digest,
// "<Group>/apply-hash".
func (o Owner) HashAnnotation() string { return o.Group + HashAnnotationSuffix }

// setting returns the value of key in the annotations of obj, else in its
// labels, else "".
func setting(annotations, labels map[string]string, key string) string {
	if v, ok := annotations[key]; ok {
		return v
	}
	return labels[key]
}
