package auth

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// Cloud is a cloud whose registries a Provider logs in to.
type Cloud int

// Clouds. The zero value is CloudNone.
const (
	// CloudNone is a registry no cloud login applies to.
	CloudNone Cloud = iota
	// CloudAWS is Amazon Elastic Container Registry.
	CloudAWS
	// CloudAzure is Azure Container Registry.
	CloudAzure
	// CloudGCP is Google Artifact Registry and Container Registry.
	CloudGCP
)

// String returns "none", "aws", "azure" or "gcp".
func (c Cloud) String() string {
	switch c {
	case CloudAWS:
		return "aws"
	case CloudAzure:
		return "azure"
	case CloudGCP:
		return "gcp"
	case CloudNone:
		return "none"
	default:
		return fmt.Sprintf("Cloud(%d)", int(c))
	}
}

// Registry host patterns of CloudOf.
var (
	// ecrHostRE matches <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn].
	ecrHostRE = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)
	// acrHostRE matches <name>.azurecr.io and the sovereign clouds' suffixes.
	acrHostRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.azurecr\.(io|cn|us)$`)
	// garHostRE matches <location>-docker.pkg.dev.
	garHostRE = regexp.MustCompile(`^[a-z0-9-]+-docker\.pkg\.dev$`)
	// gcrHostRE matches gcr.io and <location>.gcr.io.
	gcrHostRE = regexp.MustCompile(`^([a-z0-9-]+\.)?gcr\.io$`)
)

// CloudOf tells which cloud serves the registry host registry (port
// ignored, case-insensitive):
//
//   - CloudAWS: <12-digit account>.dkr.ecr.<region>.amazonaws.com, with
//     "ecr-fips" for FIPS endpoints and ".amazonaws.com.cn" for China;
//   - CloudAzure: <name>.azurecr.io, and .azurecr.cn (Azure China) and
//     .azurecr.us (Azure Government);
//   - CloudGCP: <location>-docker.pkg.dev (Artifact Registry), gcr.io and
//     <location>.gcr.io (Container Registry);
//   - CloudNone for anything else.
func CloudOf(registry string) Cloud {
	host := registryHostname(registry)
	switch {
	case ecrHostRE.MatchString(host):
		return CloudAWS
	case acrHostRE.MatchString(host):
		return CloudAzure
	case garHostRE.MatchString(host), gcrHostRE.MatchString(host):
		return CloudGCP
	default:
		return CloudNone
	}
}

// ParseECRHost returns the account ID and region of an ECR registry host
// such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com", and ok false for
// any other host.
func ParseECRHost(registry string) (account, region string, ok bool) {
	m := ecrHostRE.FindStringSubmatch(registryHostname(registry))
	if m == nil {
		return "", "", false
	}
	return m[1], m[3], true
}

// registryHostname lowercases a registry name and drops a scheme, path and
// port.
func registryHostname(registry string) string {
	host := normalizeRegistry(registry)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(host, ".")
}

// Credential is what a Provider's login yields: a user name and password
// the registry accepts with basic authentication, and when they expire.
// Formatting it with fmt prints "[redacted]" for the password.
type Credential struct {
	// Username is the registry user: "AWS" for ECR,
	// "00000000-0000-0000-0000-000000000000" for ACR, "oauth2accesstoken"
	// for Google registries.
	Username string
	// Password is the registry password or token.
	Password string
	// ExpiresAt is when the credential stops working. The zero time means
	// unknown: a Cache then does not keep it.
	ExpiresAt time.Time
}

// String prints the user name and expiry, never the password.
func (c Credential) String() string {
	return fmt.Sprintf("{Username:%s Password:[redacted] ExpiresAt:%s}", c.Username, c.ExpiresAt.Format(time.RFC3339))
}

// GoString is String, so that %#v hides the password too.
func (c Credential) GoString() string { return "auth.Credential" + c.String() }

// Provider logs in to the registries of one cloud with the workload's
// cloud identity. The aws, azure and gcp sub-packages implement it.
// Implementations must be safe for concurrent use.
type Provider interface {
	// Cloud is the cloud whose registries the provider logs in to.
	Cloud() Cloud
	// ID names the identity the provider logs in as, without any secret
	// (such as "aws:arn:aws:iam::123456789012:role/puller"). A Cache keys
	// credentials by ID and registry.
	ID() string
	// Login returns credentials for the registry host registry. Errors are
	// *LoginError values whose message holds no token.
	Login(ctx context.Context, registry string) (Credential, error)
}
