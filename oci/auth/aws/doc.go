// Package aws logs in to Amazon Elastic Container Registry with a web
// identity, as EKS IAM Roles for Service Accounts (IRSA) provide: it reads
// the workload's OIDC token file, calls STS AssumeRoleWithWebIdentity, then
// ECR GetAuthorizationToken with the temporary keys, and hands the decoded
// "AWS:<password>" to the registry. It uses aws-sdk-go-v2's STS and ECR
// clients.
//
//	p, err := aws.NewProvider()
//	kc, err := auth.NewCloudKeychain([]auth.Provider{p})
//
// # What to configure
//
//   - AWS_ROLE_ARN (or [WithRoleARN]): the IAM role to assume. Its policy
//     must allow ecr:GetAuthorizationToken, plus ecr:BatchGetImage and
//     ecr:GetDownloadUrlForLayer to pull (and the upload actions to push),
//     and its trust policy must trust the cluster's OIDC provider for the
//     service account.
//   - AWS_WEB_IDENTITY_TOKEN_FILE (or [WithWebIdentityTokenFile]): the
//     projected service account token, audience "sts.amazonaws.com".
//   - AWS_REGION or AWS_DEFAULT_REGION (or [WithRegion]): the STS region.
//     The ECR call always goes to the region in the registry host
//     (<account>.dkr.ecr.<region>.amazonaws.com); the configured region is
//     used only for hosts routed to AWS with auth.WithHost.
//   - Optionally AWS_ROLE_SESSION_NAME (or [WithRoleSessionName]).
//
// On EKS with IRSA the pod identity webhook sets the first three when the
// service account is annotated with eks.amazonaws.com/role-arn.
//
// With [WithDefaultCredentialChain] the provider instead takes its AWS
// credentials from the SDK's default chain (environment keys, shared
// files, EKS Pod Identity, ECS task and EC2 instance roles), which reads
// the process environment itself; only the region settings above apply.
//
// [WithSTSEndpoint] and [WithECREndpoint] point the calls at VPC endpoints
// or at local test servers.
//
// # Errors
//
// [Provider.Login] returns *auth.LoginError values whose Stage says which
// step failed; see its doc. Tokens, session keys and the registry password
// never appear in their messages.
package aws
