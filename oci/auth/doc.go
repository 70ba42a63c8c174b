// Package auth gives Sluice's OCI client its registry credentials as
// go-containerregistry authn.Authenticator and authn.Keychain values:
// anonymous, basic and bearer credentials, docker config.json files,
// Kubernetes Secret data, chains of keychains, and cloud OIDC logins to
// Amazon ECR, Azure Container Registry and Google Artifact Registry /
// Container Registry. It never imports Kubernetes packages: a controller
// reads a Secret and hands its data over as a map[string][]byte.
//
// The one call a newcomer needs turns a Secret's data into a keychain:
//
//	kc, err := auth.FromSecretData(secret.Data) // .dockerconfigjson, or username/password
//	if err != nil {
//		return err
//	}
//	img, err := remote.Image(ref, remote.WithAuthFromKeychain(kc))
//
// # Sources
//
//   - [Anonymous], [Basic] and [Bearer] are fixed authenticators;
//     [ForRegistry] and [ForAnyRegistry] make keychains of them.
//   - [ParseDockerConfig] and [LoadDockerConfig] read a docker
//     config.json. Credential helpers ("credHelpers", "credsStore") are
//     NOT run unless [DockerConfigOptions].AllowCredentialHelpers is set;
//     [FromSecretData] never runs them, so a Secret cannot make the
//     controller start a program.
//   - [FromSecretData] reads the keys of a kubernetes.io/dockerconfigjson
//     Secret, a legacy kubernetes.io/dockercfg Secret, or a basic-auth
//     Secret ("username", "password"), or "bearerToken".
//   - [Chain] asks keychains in order and returns the first credentials.
//   - [CloudKeychain] logs in with the workload's cloud identity through a
//     [Provider] chosen by the registry host ([CloudOf]): the sub-packages
//     aws, azure and gcp implement Provider.
//
// # Cloud login
//
// Registry hosts map to clouds by pattern: <account>.dkr.ecr.<region>.amazonaws.com
// (also ecr-fips and .amazonaws.com.cn) to AWS, *.azurecr.io (also .azurecr.cn
// and .azurecr.us) to Azure, *-docker.pkg.dev, gcr.io and *.gcr.io to Google.
// [WithHost] routes any other host, such as a pull-through proxy. Build
// the providers your registries need and give them to [NewCloudKeychain]:
//
//	ecr, err := aws.NewProvider()     // AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_REGION
//	acr, err := azure.NewProvider()   // AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE
//	gar, err := gcp.NewProvider()     // metadata server, or GOOGLE_APPLICATION_CREDENTIALS
//	kc, err := auth.NewCloudKeychain([]auth.Provider{ecr, acr, gar})
//
// The settings each cloud needs are listed in the doc of its package.
// Credentials are kept in a [Cache] until shortly before they expire
// ([DefaultRefreshMargin]); the cache belongs to the keychain, or to the
// caller with [WithCache], never to the process.
//
// # Secrets
//
// No error message of this package holds a password or token: docker
// config parse errors give a byte offset, credential helper errors never
// include the helper's output, and [LoginError] replaces every token the
// login handled by "[redacted]". Authenticators and [Credential] values
// print "[redacted]" with fmt.
//
// # Concurrency
//
// Every keychain, authenticator, [Cache] and provider here is safe for
// concurrent use. Concurrent requests for the same provider and registry
// share one login.
//
// # Errors
//
// Constructors return errors wrapping [ErrInvalidOption]. Docker configs
// give [*DockerConfigError] ([ErrInvalidDockerConfig]) and
// [*CredentialHelperError] ([ErrCredentialHelperNotAllowed],
// [ErrCredentialHelperFailed]); Secret data gives [*SecretError]
// ([ErrMissingKey]) or [ErrNoCredentials]; cloud logins give
// [*LoginError] with the stage that failed, wrapping [ErrNotConfigured],
// [ErrUnsupportedRegistry], [ErrUnexpectedResponse] or the cloud SDK's
// error. Configuration errors are not worth retrying; [ErrUnexpectedResponse]
// with a 5xx or 429 status is.
package auth
