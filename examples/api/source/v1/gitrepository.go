package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
)

// GitRepositoryReference says what a GitRepository checks out. When several
// fields are set, the first of Commit, Name, SemVer, Tag, Branch wins, as in
// git.CheckoutReference; Commit with Branch fetches the branch and checks the
// commit out of it. Empty (the default) means the remote's default branch.
type GitRepositoryReference struct {
	// Branch to check out, without "refs/heads/". Default: none.
	// +kubebuilder:validation:MaxLength=250
	// +optional
	Branch string `json:"branch,omitempty"`

	// Tag to check out, without "refs/tags/". Default: none.
	// +kubebuilder:validation:MaxLength=250
	// +optional
	Tag string `json:"tag,omitempty"`

	// SemVer is a version range; the highest tag it accepts is checked out.
	// Default: none.
	// +kubebuilder:validation:MaxLength=250
	// +optional
	SemVer string `json:"semver,omitempty"`

	// Name is a full reference name such as "refs/pull/1/head". Default:
	// none.
	// +kubebuilder:validation:MaxLength=250
	// +kubebuilder:validation:Pattern=`^refs/`
	// +optional
	Name string `json:"name,omitempty"`

	// Commit is a full SHA-1 or SHA-256 commit hash. Default: none.
	// +kubebuilder:validation:Pattern=`^([0-9a-f]{40}|[0-9a-f]{64})$`
	// +optional
	Commit string `json:"commit,omitempty"`
}

// GitVerificationMode says which signatures a GitRepository verifies.
//
// +kubebuilder:validation:Enum=HEAD;Tag;TagAndHEAD
type GitVerificationMode string

// The values of [GitVerificationMode].
const (
	// GitVerifyHEAD verifies the signature of the checked-out commit.
	GitVerifyHEAD GitVerificationMode = "HEAD"

	// GitVerifyTag verifies the signature of the checked-out annotated tag.
	GitVerifyTag GitVerificationMode = "Tag"

	// GitVerifyTagAndHEAD verifies both.
	GitVerifyTagAndHEAD GitVerificationMode = "TagAndHEAD"
)

// GitRepositoryVerification configures signature verification.
type GitRepositoryVerification struct {
	// Mode says what is verified. Default: HEAD.
	// +kubebuilder:default=HEAD
	// +optional
	Mode GitVerificationMode `json:"mode,omitempty"`

	// SecretRef names a Secret in the GitRepository's namespace holding the
	// trusted keys: OpenPGP public keys (armored, one or more per key ending
	// in ".asc") and SSH allowed-signers files (keys ending in
	// "allowed_signers").
	// +required
	SecretRef meta.LocalObjectReference `json:"secretRef"`
}

// GitRepositorySpec is the desired state of a GitRepository.
type GitRepositorySpec struct {
	// URL of the repository: http, https, ssh or git scheme.
	// +kubebuilder:validation:Pattern=`^(http|https|ssh|git)://.+$`
	// +kubebuilder:validation:MaxLength=2048
	// +required
	URL string `json:"url"`

	// Reference says what to check out. Nil (the default) means the
	// remote's default branch.
	// +optional
	Reference *GitRepositoryReference `json:"ref,omitempty"`

	// SecretRef names a Secret in the same namespace with the credentials:
	// username/password, bearerToken, identity/known_hosts for SSH, ca.crt
	// for HTTPS (the keys git.NewAuthOptions reads). Nil (the default)
	// means anonymous access.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// Interval between reconciliations.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +required
	Interval metav1.Duration `json:"interval"`

	// Timeout of one fetch. Default: 60s.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="60s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Verify enables signature verification. Nil (the default) verifies
	// nothing.
	// +optional
	Verify *GitRepositoryVerification `json:"verify,omitempty"`

	// Ignore holds .gitignore-style patterns, one per line, of paths left
	// out of the artifact, after the repository's own .sourceignore.
	// Default: none.
	// +kubebuilder:validation:MaxLength=65536
	// +optional
	Ignore *string `json:"ignore,omitempty"`

	// SparseCheckout lists the directories to check out; the others are
	// left out of the artifact. Default: the whole tree.
	// +kubebuilder:validation:MaxItems=100
	// +listType=set
	// +optional
	SparseCheckout []string `json:"sparseCheckout,omitempty"`

	// RecurseSubmodules checks out submodules too. Default: false.
	// +optional
	RecurseSubmodules bool `json:"recurseSubmodules,omitempty"`

	// Suspend stops reconciliation. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// AccessFrom lists the namespaces whose objects may refer to this
	// source. Nil (the default) allows only the source's own namespace.
	// +optional
	AccessFrom *acl.AccessFrom `json:"accessFrom,omitempty"`
}

// GitRepositoryStatus is the observed state of a GitRepository.
type GitRepositoryStatus struct {
	ArtifactStatus `json:",inline"`

	// ObservedSparseCheckout is the spec.sparseCheckout the artifact was
	// built with. Nil (the default) means the whole tree.
	// +listType=set
	// +optional
	ObservedSparseCheckout []string `json:"observedSparseCheckout,omitempty"`

	// ObservedRecurseSubmodules is the spec.recurseSubmodules the artifact
	// was built with.
	// +optional
	ObservedRecurseSubmodules bool `json:"observedRecurseSubmodules,omitempty"`
}

// GitRepository fetches a Git repository and serves its tree as an artifact.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=gitrepo
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Revision",type=string,JSONPath=`.status.artifact.revision`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type GitRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec GitRepositorySpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status GitRepositoryStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *GitRepository) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *GitRepository) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// GetArtifact returns the last artifact built, nil when none.
func (in *GitRepository) GetArtifact() *meta.Artifact { return in.Status.Artifact }

// GitRepositoryList is a list of GitRepositories.
//
// +kubebuilder:object:root=true
type GitRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the GitRepositories.
	Items []GitRepository `json:"items"`
}
