// Package gcp logs in to Google Artifact Registry (*-docker.pkg.dev) and
// Container Registry (gcr.io, *.gcr.io) with an OAuth 2.0 access token as
// the password of user "oauth2accesstoken". The token comes from one of:
//
//   - the metadata server (GCE, or GKE with Workload Identity Federation
//     for GKE): GET /computeMetadata/v1/instance/service-accounts/default/token
//     with the header "Metadata-Flavor: Google";
//   - workload identity federation from anywhere else: the workload's OIDC
//     token (from a file or URL named by a credential configuration file)
//     is exchanged at Google STS (RFC 8693 token exchange,
//     https://sts.googleapis.com/v1/token), and, when the configuration
//     names a service account, exchanged again with IAM Credentials
//     generateAccessToken.
//
// The calls are plain net/http; no Google client library is used.
//
//	p, err := gcp.NewProvider()
//	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
//
// # What to configure
//
//   - On GKE with Workload Identity Federation: nothing in the pod; bind
//     the Kubernetes service account (or the Google service account it
//     impersonates) to roles/artifactregistry.reader (or .writer). The
//     metadata server is http://metadata.google.internal, or
//     GCE_METADATA_HOST (or [WithMetadataEndpoint]).
//   - Elsewhere: GOOGLE_APPLICATION_CREDENTIALS (or [WithCredentialsFile] /
//     [WithCredentialsJSON]) naming a credential configuration of
//     "type": "external_account" as `gcloud iam workload-identity-pools
//     create-cred-config` writes it, with a "file" or "url"
//     credential_source ("text" or "json" format). AWS and executable
//     sources and service account keys are not supported.
//
// # Errors
//
// [Provider.Login] returns *auth.LoginError values whose Stage says which
// step failed; see its doc. The subject token and the access tokens never
// appear in their messages.
package gcp
