package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
)

// ImageProvider names where registry credentials come from.
//
// +kubebuilder:validation:Enum=generic;aws;azure;gcp
type ImageProvider string

// The values of [ImageProvider].
const (
	// ImageProviderGeneric uses spec.secretRef, or anonymous access.
	ImageProviderGeneric ImageProvider = "generic"

	// ImageProviderAWS logs in to ECR with the controller's AWS identity.
	ImageProviderAWS ImageProvider = "aws"

	// ImageProviderAzure logs in to ACR with the controller's Azure
	// identity.
	ImageProviderAzure ImageProvider = "azure"

	// ImageProviderGCP logs in to Artifact Registry with the controller's
	// GCP identity.
	ImageProviderGCP ImageProvider = "gcp"
)

// ImageRepositorySpec is the desired state of an ImageRepository.
type ImageRepositorySpec struct {
	// Image is the repository to scan, "registry/path" without tag or
	// digest, such as "ghcr.io/org/app". A name without registry means
	// Docker Hub, as with docker pull.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^[^:@\s]+(:[0-9]+)?(/[^:@\s]+)*$`
	// +required
	Image string `json:"image"`

	// Interval between scans.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +required
	Interval metav1.Duration `json:"interval"`

	// Timeout of one scan. Default: 60s.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="60s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// SecretRef names a Secret of type kubernetes.io/dockerconfigjson (or
	// with username/password) in the same namespace. Nil (the default)
	// means anonymous access, or the cloud identity with a cloud provider.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// CertSecretRef names a Secret with ca.crt and optionally tls.crt and
	// tls.key for the registry's TLS. Nil (the default) means the system
	// roots.
	// +optional
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`

	// Provider of the registry credentials. Default: generic.
	// +kubebuilder:default=generic
	// +optional
	Provider ImageProvider `json:"provider,omitempty"`

	// Insecure allows plain HTTP to the registry, when the controller's
	// insecure-HTTP policy allows it too. Default: false.
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// ExclusionList holds Go regular expressions; tags matching any are
	// left out of the scan. Default: none (cosign's signature tags are
	// always left out).
	// +kubebuilder:validation:MaxItems=25
	// +listType=atomic
	// +optional
	ExclusionList []string `json:"exclusionList,omitempty"`

	// Suspend stops scanning. Default: false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// AccessFrom lists the namespaces whose ImagePolicies may refer to this
	// repository. Nil (the default) allows only the repository's own
	// namespace.
	// +optional
	AccessFrom *acl.AccessFrom `json:"accessFrom,omitempty"`
}

// ScanResult summarises the last successful scan.
type ScanResult struct {
	// TagCount is the number of tags found, after the exclusion list.
	TagCount int `json:"tagCount"`

	// ScanTime is when the scan finished.
	ScanTime metav1.Time `json:"scanTime"`

	// LatestTags are up to ten tags, the greatest first in reverse lexical
	// order, for a quick look; the full list stays in the controller.
	// +kubebuilder:validation:MaxItems=10
	// +listType=atomic
	// +optional
	LatestTags []string `json:"latestTags,omitempty"`
}

// ImageRepositoryStatus is the observed state of an ImageRepository.
type ImageRepositoryStatus struct {
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

	// CanonicalImageName is spec.image in full, with its registry, such as
	// "index.docker.io/library/nginx". Empty (the default) until a scan
	// succeeded.
	// +optional
	CanonicalImageName string `json:"canonicalImageName,omitempty"`

	// LastScanResult is the last successful scan. Nil (the default) means
	// none yet.
	// +optional
	LastScanResult *ScanResult `json:"lastScanResult,omitempty"`

	// ObservedExclusionList is the spec.exclusionList of the last scan.
	// +listType=atomic
	// +optional
	ObservedExclusionList []string `json:"observedExclusionList,omitempty"`
}

// ImageRepository scans the tags of an image repository.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=imagerepo
// +kubebuilder:printcolumn:name="Image",type=string,JSONPath=`.spec.image`
// +kubebuilder:printcolumn:name="Tags",type=integer,JSONPath=`.status.lastScanResult.tagCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ImageRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	// +required
	Spec ImageRepositorySpec `json:"spec"`

	// Status is the observed state.
	// +optional
	Status ImageRepositoryStatus `json:"status,omitempty"`
}

// GetConditions returns the status conditions.
func (in *ImageRepository) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *ImageRepository) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// ImageRepositoryList is a list of ImageRepositories.
//
// +kubebuilder:object:root=true
type ImageRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the ImageRepositories.
	Items []ImageRepository `json:"items"`
}
