package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
)

// Keys of the Secret named by [SigningKey].
const (
	// SigningKeyOpenPGPKey holds an ASCII-armoured OpenPGP secret key.
	SigningKeyOpenPGPKey = "git.asc"

	// SigningKeySSHKey holds an SSH private key (OpenSSH or PEM format).
	SigningKeySSHKey = "identity"

	// SigningKeyPassphraseKey holds the passphrase of the key, if any.
	SigningKeyPassphraseKey = "passphrase"
)

// SourceReference names the GitRepository an ImageUpdateAutomation writes
// to.
type SourceReference struct {
	// Kind of the source. Only GitRepository is supported. Default:
	// GitRepository.
	// +kubebuilder:validation:Enum=GitRepository
	// +kubebuilder:default=GitRepository
	// +optional
	Kind string `json:"kind,omitempty"`

	// Name of the GitRepository.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Namespace of the GitRepository. Empty (the default) means the
	// namespace of the automation. Another namespace must be allowed by
	// the GitRepository's spec.accessFrom and by the controller.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// GitCheckout says which branch is cloned.
type GitCheckout struct {
	// Ref names the branch.
	// +required
	Ref GitBranchReference `json:"ref"`
}

// GitBranchReference names a branch.
type GitBranchReference struct {
	// Branch name, without "refs/heads/".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=250
	// +required
	Branch string `json:"branch"`
}

// GitPush says where commits are pushed.
type GitPush struct {
	// Branch to push to, without "refs/heads/". When it differs from the
	// checkout branch, it is created from the checkout branch if the
	// remote lacks it, and otherwise updated on top of its own history.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=250
	// +required
	Branch string `json:"branch"`
}

// CommitUser is the author of the automation's commits.
type CommitUser struct {
	// Name of the author.
	// +kubebuilder:validation:MinLength=1
	// +required
	Name string `json:"name"`

	// Email of the author.
	// +kubebuilder:validation:MinLength=1
	// +required
	Email string `json:"email"`
}

// SigningKey names the Secret holding the key that signs commits: an
// OpenPGP key under "git.asc" or an SSH key under "identity", and its
// passphrase, if any, under "passphrase".
type SigningKey struct {
	// SecretRef names a Secret in the automation's namespace.
	// +required
	SecretRef meta.LocalObjectReference `json:"secretRef"`
}

// CommitSpec configures the automation's commits.
type CommitSpec struct {
	// Author of the commits.
	// +required
	Author CommitUser `json:"author"`

	// MessageTemplate is a Go text/template for the commit message, given
	// a TemplateData: {{ .AutomationObject }}, and {{ range .Changes }}
	// with .File, .OldValue, .NewValue and .Policy. Default: a summary
	// listing every changed image.
	// +kubebuilder:validation:MaxLength=8192
	// +optional
	MessageTemplate string `json:"messageTemplate,omitempty"`

	// SigningKey signs the commits. Nil (the default) means unsigned.
	// +optional
	SigningKey *SigningKey `json:"signingKey,omitempty"`
}

// GitSpec configures the Git side of an automation.
type GitSpec struct {
	// Checkout says which branch is cloned. Nil (the default) means the
	// branch of the GitRepository's spec.ref, which must then name one.
	// +optional
	Checkout *GitCheckout `json:"checkout,omitempty"`

	// Commit configures the commits.
	// +required
	Commit CommitSpec `json:"commit"`

	// Push says where commits go. Nil (the default) means the checkout
	// branch.
	// +optional
	Push *GitPush `json:"push,omitempty"`
}

// UpdateStrategyName names how files are updated.
//
// +kubebuilder:validation:Enum=Setters
type UpdateStrategyName string

// UpdateStrategySetters rewrites the YAML fields marked with
// {"$imagepolicy": "<namespace>:<name>[:tag|:name]"} comments.
const UpdateStrategySetters UpdateStrategyName = "Setters"

// UpdateStrategy says which files are updated and how.
type UpdateStrategy struct {
	// Path is the directory, relative to the repository root, whose YAML
	// files (.yaml and .yml, recursively) are updated. Default: the root.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Path string `json:"path,omitempty"`

	// Strategy of the update. Default: Setters.
	// +kubebuilder:default=Setters
	// +optional
	Strategy UpdateStrategyName `json:"strategy,omitempty"`
}

// ImageUpdateAutomationSpec is the desired state of an
// ImageUpdateAutomation.
type ImageUpdateAutomationSpec struct {
	// SourceRef names the GitRepository whose URL and credentials
	// (spec.secretRef) are used to clone and push.
	// +required
	SourceRef SourceReference `json:"sourceRef"`

	// GitSpec configures checkout, commit and push.
	// +required
	GitSpec GitSpec `json:"git"`

	// Update says which files are updated. Nil (the default) means the
	// Setters strategy over the whole repository.
	// +optional
	Update *UpdateStrategy `json:"update,omitempty"`

	// PolicySelector selects, by labels, the ImagePolicies of the
	// automation's namespace that setter comments may name. Nil (the
	// default) selects them all.
	// +optional
	PolicySelector *metav1.LabelSelector `json:"policySelector,omitempty"`

	// Interval between runs.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +required
	Interval metav1.Duration `json:"interval"`

	// Timeout of one run (clone, commit and push). Default: 60s.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="60s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Suspend stops the automation. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ObservedPolicy is the image an ImagePolicy selected when the automation
// last ran.
type ObservedPolicy struct {
	// Name of the ImagePolicy.
	// +required
	Name string `json:"name"`

	// Namespace of the ImagePolicy.
	// +required
	Namespace string `json:"namespace"`

	// Ref is the image the policy selected.
	// +required
	Ref ImageRef `json:"ref"`
}

// ImageUpdateAutomationStatus is the observed state of an
// ImageUpdateAutomation.
type ImageUpdateAutomationStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are the kstatus-standard conditions Ready, Reconciling
	// and Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LastAutomationRunTime is when the automation last ran to completion,
	// whether or not it pushed.
	// +optional
	LastAutomationRunTime *metav1.Time `json:"lastAutomationRunTime,omitempty"`

	// LastPushCommit is the hash of the last commit pushed.
	// +optional
	LastPushCommit string `json:"lastPushCommit,omitempty"`

	// LastPushTime is when the last commit was pushed.
	// +optional
	LastPushTime *metav1.Time `json:"lastPushTime,omitempty"`

	// ObservedPolicies are the images the selected policies pointed to
	// when the automation last ran, sorted by namespace and name.
	// +listType=atomic
	// +optional
	ObservedPolicies []ObservedPolicy `json:"observedPolicies,omitempty"`
}

// ImageUpdateAutomation rewrites image references in a Git repository to
// the images ImagePolicies select, commits and pushes.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=imageauto
// +kubebuilder:printcolumn:name="Last run",type=string,JSONPath=`.status.lastAutomationRunTime`
// +kubebuilder:printcolumn:name="Last push",type=string,JSONPath=`.status.lastPushCommit`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ImageUpdateAutomation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec ImageUpdateAutomationSpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status ImageUpdateAutomationStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *ImageUpdateAutomation) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *ImageUpdateAutomation) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// ImageUpdateAutomationList is a list of ImageUpdateAutomations.
//
// +kubebuilder:object:root=true
type ImageUpdateAutomationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the ImageUpdateAutomations.
	Items []ImageUpdateAutomation `json:"items"`
}
