// Package cloudtest runs local fakes of the cloud token services Sluice's
// registry login talks to, for tests only: AWS STS (query protocol, XML
// answers) and ECR (JSON 1.1), Entra ID's v2 token endpoint with its OpenID
// metadata and ACR's /oauth2/exchange, and Google's metadata server, STS
// token exchange (RFC 8693) and IAM Credentials generateAccessToken. Each
// fake speaks the documented wire protocol, records what it received and
// can be told to fail.
//
// # Concurrency
//
// Fakes serve concurrent requests; their recorded fields are read through
// methods that lock.
package cloudtest
