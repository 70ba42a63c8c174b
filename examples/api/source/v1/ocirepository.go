package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
)

// OCIRepositoryReference says which artifact an OCIRepository pulls. When
// several fields are set, the first of Digest, SemVer, Tag wins. Empty (the
// default) means the tag "latest".
type OCIRepositoryReference struct {
	// Tag to pull. Default: none.
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`
	// +optional
	Tag string `json:"tag,omitempty"`

	// SemVer is a version range; the highest tag it accepts is pulled.
	// Default: none.
	// +kubebuilder:validation:MaxLength=250
	// +optional
	SemVer string `json:"semver,omitempty"`

	// Digest of the manifest to pull, "<algorithm>:<hex>". Default: none.
	// +kubebuilder:validation:Pattern=`^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`
	// +optional
	Digest string `json:"digest,omitempty"`
}

// OCIProvider names where registry credentials come from.
//
// +kubebuilder:validation:Enum=generic;aws;azure;gcp
type OCIProvider string

// The values of [OCIProvider].
const (
	// OCIProviderGeneric uses spec.secretRef, or anonymous access.
	OCIProviderGeneric OCIProvider = "generic"

	// OCIProviderAWS logs in to ECR with the controller's AWS identity.
	OCIProviderAWS OCIProvider = "aws"

	// OCIProviderAzure logs in to ACR with the controller's Azure identity.
	OCIProviderAzure OCIProvider = "azure"

	// OCIProviderGCP logs in to Artifact Registry with the controller's GCP
	// identity.
	OCIProviderGCP OCIProvider = "gcp"
)

// OIDCIdentityMatch is a keyless signer an OCIRepository trusts: Go regular
// expressions for the certificate's OIDC issuer and subject, both of which
// must match.
type OIDCIdentityMatch struct {
	// Issuer is a regular expression the OIDC issuer must match.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	Issuer string `json:"issuer"`

	// Subject is a regular expression the certificate's subject alternative
	// name must match.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	Subject string `json:"subject"`
}

// OCIRepositoryVerification configures cosign verification.
type OCIRepositoryVerification struct {
	// Provider of the signatures. Only cosign is supported.
	// +kubebuilder:validation:Enum=cosign
	// +kubebuilder:default=cosign
	// +optional
	Provider string `json:"provider,omitempty"`

	// SecretRef names a Secret in the same namespace whose keys ending in
	// ".pub" hold the trusted cosign public keys (PEM). Nil (the default)
	// means keyless verification against MatchOIDCIdentity, with the
	// trusted root in the Secret key "trusted_root.json" of
	// TrustedRootSecretRef.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// MatchOIDCIdentity lists the keyless signers trusted; any may match.
	// Default: none.
	// +kubebuilder:validation:MaxItems=20
	// +listType=atomic
	// +optional
	MatchOIDCIdentity []OIDCIdentityMatch `json:"matchOIDCIdentity,omitempty"`

	// TrustedRootSecretRef names a Secret whose key "trusted_root.json"
	// holds the Sigstore trusted root for keyless verification. Nil (the
	// default) is an error with keyless verification: the controller has
	// no network access to fetch the public-good root.
	// +optional
	TrustedRootSecretRef *meta.LocalObjectReference `json:"trustedRootSecretRef,omitempty"`
}

// OCIRepositorySpec is the desired state of an OCIRepository.
type OCIRepositorySpec struct {
	// URL of the repository, "oci://<registry>/<path>".
	// +kubebuilder:validation:Pattern=`^oci://.+$`
	// +kubebuilder:validation:MaxLength=2048
	// +required
	URL string `json:"url"`

	// Reference says which artifact to pull. Nil (the default) means the
	// tag "latest".
	// +optional
	Reference *OCIRepositoryReference `json:"ref,omitempty"`

	// Provider of the registry credentials. Default: generic.
	// +kubebuilder:default=generic
	// +optional
	Provider OCIProvider `json:"provider,omitempty"`

	// SecretRef names a Secret of type kubernetes.io/dockerconfigjson in
	// the same namespace. Nil (the default) means anonymous access, or the
	// cloud identity with a cloud provider.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// CertSecretRef names a Secret with ca.crt and optionally tls.crt and
	// tls.key for the registry's TLS. Nil (the default) means the system
	// roots.
	// +optional
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`

	// Insecure allows plain HTTP to the registry, when the controller's
	// insecure-HTTP policy allows it too. Default: false.
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// Verify enables cosign verification. Nil (the default) verifies
	// nothing.
	// +optional
	Verify *OCIRepositoryVerification `json:"verify,omitempty"`

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

	// Ignore holds .gitignore-style patterns, one per line, of paths left
	// out of the artifact. Default: none.
	// +kubebuilder:validation:MaxLength=65536
	// +optional
	Ignore *string `json:"ignore,omitempty"`

	// Suspend stops reconciliation. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// AccessFrom lists the namespaces whose objects may refer to this
	// source. Nil (the default) allows only the source's own namespace.
	// +optional
	AccessFrom *acl.AccessFrom `json:"accessFrom,omitempty"`
}

// OCIRepositoryStatus is the observed state of an OCIRepository.
type OCIRepositoryStatus struct {
	ArtifactStatus `json:",inline"`
}

// OCIRepository pulls an OCI artifact and serves its content as an
// artifact.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ocirepo
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Revision",type=string,JSONPath=`.status.artifact.revision`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type OCIRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec OCIRepositorySpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status OCIRepositoryStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *OCIRepository) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *OCIRepository) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// GetArtifact returns the last artifact built, nil when none.
func (in *OCIRepository) GetArtifact() *meta.Artifact { return in.Status.Artifact }

// OCIRepositoryList is a list of OCIRepositories.
//
// +kubebuilder:object:root=true
type OCIRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the OCIRepositories.
	Items []OCIRepository `json:"items"`
}
