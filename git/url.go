package git

import (
	"net/url"
	"regexp"
	"strings"
)

// Transport schemes a repository URL may use.
const (
	// SchemeHTTP is smart HTTP in clear text.
	SchemeHTTP = "http"
	// SchemeHTTPS is smart HTTP over TLS.
	SchemeHTTPS = "https"
	// SchemeSSH is Git over SSH, also written "user@host:path".
	SchemeSSH = "ssh"
	// SchemeGit is the unauthenticated git:// protocol.
	SchemeGit = "git"
	// SchemeFile is a repository on the local file system; clients refuse it
	// unless told otherwise.
	SchemeFile = "file"
)

// scpLike matches "user@host:path", Git's short form of an SSH URL.
var scpLike = regexp.MustCompile(`^(?:([^@/]+)@)?([^:/@]+):(.+)$`)

// ParseURL parses a repository URL. It accepts http, https, ssh, git and
// file URLs, and the SCP-like form "git@host:org/repo.git", which it returns
// as an ssh:// URL. It returns a *URLError wrapping ErrUnsupportedScheme for
// "ext::" and other schemes, and ErrInvalidURL for anything it cannot parse
// or that lacks a host (file URLs excepted) or a path. The error holds the
// URL without its query and fragment and with everything between the scheme
// and the last "@" hidden, so no password or token reaches a log.
func ParseURL(raw string) (*url.URL, error) {
	if strings.Contains(raw, "::") && !strings.Contains(raw, "://") {
		return nil, &URLError{URL: redactRaw(raw), Err: ErrUnsupportedScheme}
	}
	if !strings.Contains(raw, "://") {
		m := scpLike.FindStringSubmatch(raw)
		if m == nil {
			return nil, &URLError{URL: redactRaw(raw), Err: ErrInvalidURL}
		}
		u := &url.URL{Scheme: SchemeSSH, Host: m[2], Path: "/" + strings.TrimPrefix(m[3], "/")}
		if m[1] != "" {
			u.User = url.User(m[1])
		}
		if strings.Trim(u.Path, "/") == "" {
			return nil, &URLError{URL: redactRaw(raw), Err: ErrInvalidURL}
		}
		return u, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &URLError{URL: redactRaw(raw), Err: ErrInvalidURL}
	}
	switch u.Scheme {
	case SchemeHTTP, SchemeHTTPS, SchemeSSH, SchemeGit:
		if u.Hostname() == "" || u.Opaque != "" {
			return nil, &URLError{URL: redactRaw(raw), Err: ErrInvalidURL}
		}
	case SchemeFile:
		if u.Host != "" && u.Host != "localhost" {
			return nil, &URLError{URL: redactRaw(raw), Err: ErrInvalidURL}
		}
	default:
		return nil, &URLError{URL: redactRaw(raw), Err: ErrUnsupportedScheme}
	}
	if strings.Trim(u.Path, "/") == "" {
		return nil, &URLError{URL: redactRaw(raw), Err: ErrInvalidURL}
	}
	return u, nil
}

// schemeName matches a URL scheme as RFC 3986 spells it.
var schemeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// redacted stands in for removed secrets.
const redacted = "xxxxx"

// redactRaw renders raw for an error message. It drops any query or fragment,
// which may carry tokens, and hides everything between the scheme and the
// last "@", where a password would be.
func redactRaw(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	rest := raw
	prefix := ""
	if i := strings.Index(raw, "://"); i >= 0 && schemeName.MatchString(raw[:i]) {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		return prefix + redacted + rest[i:]
	}
	return raw
}
