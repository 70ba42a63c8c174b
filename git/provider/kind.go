package provider

import (
	"fmt"
	"strings"
)

// Kind names a Git provider's API.
type Kind string

// The providers [New] supports.
const (
	// KindGitHub is GitHub.com or GitHub Enterprise Server (REST API v3).
	KindGitHub Kind = "github"
	// KindGitLab is GitLab.com or a self-managed GitLab (REST API v4).
	KindGitLab Kind = "gitlab"
	// KindGitea is Gitea (or Forgejo) (REST API v1).
	KindGitea Kind = "gitea"
	// KindBitbucketServer is Bitbucket Server / Data Center, formerly
	// Stash (REST API 1.0). Bitbucket Cloud is not supported.
	KindBitbucketServer Kind = "bitbucket-server"
)

// String returns the kind's name, such as "github".
func (k Kind) String() string { return string(k) }

// ParseKind returns the Kind named s, case-insensitively: "github",
// "gitlab", "gitea", "bitbucket-server" or its old name "stash". It returns
// an error wrapping [ErrUnsupportedProvider] for anything else, including
// "bitbucket" (Bitbucket Cloud).
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "github":
		return KindGitHub, nil
	case "gitlab":
		return KindGitLab, nil
	case "gitea":
		return KindGitea, nil
	case "bitbucket-server", "bitbucketserver", "stash":
		return KindBitbucketServer, nil
	}
	return "", fmt.Errorf("parse provider kind %q: %w (want github, gitlab, gitea or bitbucket-server)", s, ErrUnsupportedProvider)
}
